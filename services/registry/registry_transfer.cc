#include "registry_transfer.h"

#include <stdexcept>

#include "osh/core/log.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/registry/v1/registry.pb.h"
#include "osh/service/records.h"
#include "registry_store.h"

namespace osh::registry {

void TransferImporter::Apply(store::Tx& tx, const events::Event& event) const {
  events::v1::EnterpriseTransferred transfer;
  if (event.type != transfer.GetDescriptor()->full_name()) return;
  if (!events::Unpack(event, &transfer)) throw std::runtime_error("EnterpriseTransferred payload does not parse");
  if (transfer.to_province() != province_) return;

  v1::Employer moved;
  if (!moved.ParseFromString(transfer.employer_record()) || moved.id().empty() || moved.credit_code().empty()) {
    throw std::runtime_error("EnterpriseTransferred carries no readable employer record");
  }
  moved.set_province(province_);
  moved.set_division_code(transfer.to_division_code());
  moved.set_status(v1::EMPLOYER_STATUS_ACTIVE);

  if (auto existing = RegistryStore::FindEmployerByCreditCode(tx, moved.credit_code())) {
    if (existing->status() == v1::EMPLOYER_STATUS_ACTIVE) {
      throw std::runtime_error("credit code " + moved.credit_code() + " is already registered and active in province " +
                               province_ + " (id " + existing->id() + ")");
    }
    // It had moved away from here before and now comes back: same record, newer facts.
    moved.set_id(existing->id());
    moved.set_version(std::max(existing->version(), moved.version()) + 1);
    RegistryStore::UpdateEmployer(tx, moved);
  } else {
    RegistryStore::InsertEmployer(tx, moved);
  }
  int imported = 0;
  for (const auto& bytes : transfer.declaration_records()) {
    v1::Declaration d;
    if (!d.ParseFromString(bytes) || d.id().empty()) throw std::runtime_error("unreadable declaration record");
    if (RegistryStore::FindDeclaration(tx, d.id())) continue;
    d.set_employer_id(moved.id());
    d.set_province(province_);
    RegistryStore::InsertDeclaration(tx, d);
    ++imported;
  }
  service::Audit(tx, service::AuditEntry{"system:transfer", "system", "import", "employer", moved.id(), event.id});
  core::log::Info("employer imported by transfer", {{"employer_id", moved.id()},
                                                    {"from_province", transfer.from_province()},
                                                    {"declarations", imported},
                                                    {"event_id", event.id}});
}

}  // namespace osh::registry

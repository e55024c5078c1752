#pragma once

// The documents the index tests search (title, body), by rowid.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace osh::search {

inline const std::vector<std::pair<int64_t, std::vector<std::string>>> kDocs = {
    {1, {"尘肺病防治攻坚行动", "预防尘肺病，从粉尘治理做起。"}},
    {2, {"噪声聋的预防", "长期接触噪声的劳动者应定期进行听力检查。"}},
    {3, {"Pneumoconiosis among miners", "Dust control prevents pneumoconiosis; workers wear respirators."}},
    {4, {"HSE管理体系推广", "推广HSE管理体系，提升职业健康水平。Occupational health matters."}},
    {5, {"砷作业防护", "接触砷的岗位要做好个人防护。"}},
    {6, {"职业健康检查", "Workers' health examinations 职业健康 must be notified in writing."}},
};

}  // namespace osh::search

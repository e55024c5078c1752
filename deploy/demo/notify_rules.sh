#!/usr/bin/env bash
# Demo notification rules of the local platform, created through the gateway
# with fixed request ids, so running it again changes nothing:
#   - rectification deadlines: the employer's inbox 30, 7 and 1 days before;
#   - the 15 December annual report: province admins' inbox 30, 7 and 1 days before;
#   - a new employer registered: province admins' inbox;
#   - a training certificate issued: the learner's organisation's inbox.
#   deploy/demo/notify_rules.sh <gateway-url> <token-file>
set -euo pipefail
GATEWAY="$1"
TOKEN="$(cat "$2")"

post() {  # path json -> response body; fails on any non-2xx
  curl -sS --fail-with-body -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "$2" "$GATEWAY$1"
}
id_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

template() {  # request-id event-type subject body -> template id
  post /v1/notify/templates "$(python3 -c 'import json,sys; print(json.dumps({"request_id": sys.argv[1],
    "template": {"name": sys.argv[1], "event_type": sys.argv[2], "channel": "CHANNEL_INBOX", "locale": "zh-CN",
                 "subject": sys.argv[3], "body": sys.argv[4]}}))' "$@")" | id_of
}

rule() {  # request-id json-of-rule
  post /v1/notify/rules "{\"request_id\": \"$1\", \"rule\": $2}" >/dev/null
}

reminder="$(template demo-tpl-deadline osh.events.v1.DeadlineReminder \
  '期限提醒：还有 {{days_left}} 天（{{deadline}}）' \
  '{{kind}} 期限 {{deadline}}，还有 {{days_left}} 天。整改事项 {{item_id}}，用人单位 {{credit_code}}。')"
rule demo-rule-rectification "{\"name\": \"整改期限提醒\", \"event_type\": \"osh.events.v1.DeadlineReminder\",
  \"category\": \"rectification\", \"recipients\": [{\"event_organisation\": true}],
  \"inbox_template_id\": \"$reminder\",
  \"schedule\": {\"deadline\": \"DEADLINE_KIND_RECTIFICATION\", \"days_before\": [30, 7, 1]}}"
rule demo-rule-annual-report "{\"name\": \"年度报告提醒\", \"event_type\": \"osh.events.v1.DeadlineReminder\",
  \"category\": \"reporting\", \"recipients\": [{\"province_role\": \"province_admin\"}],
  \"inbox_template_id\": \"$reminder\",
  \"schedule\": {\"deadline\": \"DEADLINE_KIND_ANNUAL_DATE\", \"annual_date\": \"--12-15\", \"days_before\": [30, 7, 1]}}"

registered="$(template demo-tpl-registered osh.events.v1.EnterpriseRegistered \
  '新登记用人单位：{{name}}' '统一社会信用代码 {{employer.credit_code}}，劳动者 {{employer.total_workers}} 人。')"
rule demo-rule-registered "{\"name\": \"新登记用人单位\", \"event_type\": \"osh.events.v1.EnterpriseRegistered\",
  \"category\": \"registration\", \"recipients\": [{\"province_role\": \"province_admin\"}],
  \"inbox_template_id\": \"$registered\"}"

certificate="$(template demo-tpl-certificate osh.events.v1.CertificateIssued \
  '培训证书已颁发' '课程 {{course_id}} 的培训证书 {{certificate_id}} 已颁发（{{issue_time}}）。')"
rule demo-rule-certificate "{\"name\": \"培训证书\", \"event_type\": \"osh.events.v1.CertificateIssued\",
  \"category\": \"training\", \"recipients\": [{\"event_organisation\": true}],
  \"inbox_template_id\": \"$certificate\"}"

recertify="$(template demo-tpl-recertify osh.events.v1.DeadlineReminder \
  '培训证书将于 {{deadline}} 到期' '课程「{{course_title}}」的培训证书 {{certificate_id}} 还有 {{days_left}} 天到期，请安排复训。')"
rule demo-rule-recertify "{\"name\": \"证书到期复训提醒\", \"event_type\": \"osh.events.v1.DeadlineReminder\",
  \"category\": \"training\", \"recipients\": [{\"event_organisation\": true}],
  \"inbox_template_id\": \"$recertify\",
  \"schedule\": {\"deadline\": \"DEADLINE_KIND_CERTIFICATE_EXPIRY\", \"days_before\": [30, 7]}}"
echo "notify demo rules in place"

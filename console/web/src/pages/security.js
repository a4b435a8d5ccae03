// A secured cluster's ACLs and SCRAM users, as the console's own principal may see them.
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { badge, card, emptyState, guard, loading, table } from "../ui.js";

const aclTable = (acls) => table(
  [{ label: "Principal" }, { label: "Host" }, { label: "Permission" }, { label: "Operation" },
    { label: "Resource type" }, { label: "Resource" }, { label: "Pattern" }],
  acls.map((a) => h("tr", { "data-testid": "acl-row" },
    h("td.strong", a.principal),
    h("td.muted", a.host),
    h("td", badge(a.permission, a.permission === "DENY" ? "bad" : "ok")),
    h("td", a.operation),
    h("td", a.resource_type === "UNKNOWN" ? "TRANSACTIONAL_ID?" : a.resource_type),
    h("td", a.resource_name),
    h("td.muted", a.pattern_type))),
  { "data-testid": "acls-table" });

const userTable = (users) => table(
  [{ label: "User" }, { label: "SCRAM mechanism" }],
  users.map((u) => h("tr", { "data-testid": "user-row" },
    h("td.strong", `User:${u.name}`), h("td.muted", u.mechanisms.join(", ")))),
  { "data-testid": "users-table" });

export function render({ setTitle }) {
  setTitle("보안", h("span.muted.title-sub", " ACL · SCRAM users"));
  const body = h("div", loading());

  const draw = (s) => {
    if (!s.authorizer) {
      replace(body, emptyState("이 cluster에는 authorizer가 없습니다 (ACL도 SCRAM user도 없음). " +
        "보안 lab은 `klab up --secure`로 시작합니다."));
      return;
    }
    replace(body, [
      h("p", { "data-testid": "security-principal" }, "console이 접속한 principal: ", h("code", s.principal)),
      card(`ACL (${s.acls.length})`,
        s.acls.length ? aclTable(s.acls) : emptyState("ACL이 없습니다."),
        h("p.hint", "librdkafka는 거절된 DescribeAcls를 빈 목록으로 돌려줍니다: principal에 " +
          "cluster DESCRIBE 권한이 없으면 ACL이 있어도 보이지 않습니다. " +
          "TRANSACTIONAL_ID?는 librdkafka 2.0.2가 이름을 모르는 resource type입니다.")),
      card(`SCRAM user (${s.users.length})`,
        s.users_error ? h("p.error", { "data-testid": "users-error" }, s.users_error)
          : s.users.length ? userTable(s.users) : emptyState("SCRAM user가 없습니다."),
        h("p.hint", "librdkafka 2.0.2에는 SCRAM admin API가 없어 Kafka의 kafka-configs로 읽습니다 " +
          "(JVM이 떠서 몇 초 걸립니다). 추가·삭제: `klab users add|delete`.")),
    ]);
  };

  guard("보안 정보를 불러오지 못했습니다", async () => draw(await get("/api/security")));
  return { el: h("div.page", { "data-testid": "security-page" }, body) };
}

// The schema registry's subjects (8.1.2): every version with its id and schema.
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { prettyJson } from "../format.js";
import { badge, card, emptyState, guard, loading } from "../ui.js";

const versionBlock = (v, latest) => h("div.schema-version", { "data-testid": "schema-version" },
  h("div", badge(`v${v.version}`, latest ? "accent" : "neutral"), h("span.muted", ` id ${v.id}`)),
  h("pre.schema-text", prettyJson(v.schema).text));

export function render({ setTitle }) {
  setTitle("스키마", h("span.muted.title-sub", " schema registry"));
  const body = h("div", loading());
  const draw = (r) => {
    if (!r.registry_url) {
      replace(body, emptyState("schema registry가 없습니다: `klab up --with-registry`로 시작하면 콘솔이 다음 시작 때 연결합니다."));
      return;
    }
    replace(body, [
      h("p.muted", { "data-testid": "schemas-url" }, "registry: ", h("code", r.registry_url)),
      r.subjects.length ? r.subjects.map((s) => card(`${s.subject} (${s.versions.length} version)`,
        h("div", { "data-testid": "schema-subject", "data-subject": s.subject },
          s.versions.slice().reverse().map((v, i) => versionBlock(v, i === 0)))))
        : emptyState("subject가 없습니다. serializer가 처음 쓸 때 등록합니다."),
      h("p.hint", "compatibility mode와 바꿔도 되는 변경은 lesson 8.1.2 (lessons/p8_operations)를 보세요."),
    ]);
  };
  guard("schema 목록을 읽지 못했습니다", async () => draw(await get("/api/schemas")));
  return { el: h("div.page", { "data-testid": "schemas-page" }, body) };
}

// The API document (/docs): the server's own /openapi.json drawn as a plain list of operations and
// schemas, with no third-party script and no other host (the pages' Content-Security-Policy holds here too).
"use strict";

const METHOD_ORDER = ["get", "post", "put", "patch", "delete"];

function schemaName(schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.type === "array") return `${schemaName(schema.items)}[]`;
  if (schema.anyOf) return schema.anyOf.map(schemaName).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  return schema.type || (schema.format ? schema.format : "object");
}

function link(schema) {
  const name = schemaName(schema);
  const ref = schema?.$ref || schema?.items?.$ref;
  return ref ? el("a", { href: `#schema-${ref.split("/").pop()}` }, name) : el("code", {}, name);
}

function operation(path, method, op) {
  const params = (op.parameters || []).map((p) => el("li", {},
    el("code", {}, p.name), ` (${p.in}${p.required ? ", required" : ""}) `, link(p.schema),
    p.description ? ` — ${p.description}` : ""));
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const responses = Object.entries(op.responses || {}).map(([status, r]) => el("li", {},
    el("code", {}, status), " ", r.description || "",
    r.content?.["application/json"]?.schema ? [" ", link(r.content["application/json"].schema)] : []));
  return el("section", { class: "op", id: op.operationId || `${method}-${path}` },
    el("h3", {}, el("span", { class: `method m-${method}` }, method.toUpperCase()), " ", el("code", {}, path),
      op.summary ? el("span", { class: "summary" }, ` ${op.summary}`) : null),
    op.description ? el("p", { class: "desc" }, op.description) : null,
    params.length ? el("div", {}, el("h4", {}, "Parameters"), el("ul", {}, params)) : null,
    body ? el("div", {}, el("h4", {}, "Request body"), link(body)) : null,
    el("div", {}, el("h4", {}, "Responses"), el("ul", {}, responses)));
}

function schema(name, s) {
  const required = new Set(s.required || []);
  const props = Object.entries(s.properties || {}).map(([prop, p]) => el("li", {},
    el("code", {}, prop), required.has(prop) ? " *" : "", " ", link(p), p.description ? ` — ${p.description}` : ""));
  return el("section", { class: "schema", id: `schema-${name}` }, el("h3", {}, name),
    s.description ? el("p", { class: "desc" }, s.description) : null,
    props.length ? el("ul", {}, props) : (s.enum ? el("p", {}, link(s)) : null));
}

async function draw() {
  const doc = await (await fetch("/openapi.json", { headers: { Accept: "application/json" } })).json();
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHOD_ORDER.filter((m) => item[m])) {
      const tag = (item[method].tags || ["other"])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(path, method, item[method]));
    }
  }
  const schemas = Object.entries(doc.components?.schemas || {}).map(([name, s]) => schema(name, s));
  $("doc").replaceChildren(
    el("h1", {}, doc.info.title, el("span", { class: "inline-en" }, ` ${doc.info.version}`)),
    el("pre", { class: "intro" }, doc.info.description || ""),
    el("nav", { class: "tags" }, [...byTag.keys()].map((tag) => el("a", { href: `#tag-${tag}` }, tag))),
    ...[...byTag.entries()].map(([tag, ops]) => el("section", { class: "tag", id: `tag-${tag}` }, el("h2", {}, tag), ops)),
    el("section", { class: "schemas" }, el("h2", {}, "Schemas"), schemas));
}

draw().catch((error) => {
  $("doc").replaceChildren(el("div", { class: "error-box", role: "alert" }, `openapi.json: ${error}`));
});

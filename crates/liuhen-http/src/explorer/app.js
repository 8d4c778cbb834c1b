// liuhen explorer: a read-only view of the ledger's cases, and an in-browser check of each
// entry's inclusion proof (docs/FORMAT.md §7, §12, §19; docs/HTTP.md "Explorer").
//
// Every text that comes from the ledger is put into the page with textContent or as an
// attribute value, never as HTML. Nothing is loaded from anywhere but this server.
"use strict";

(function () {
  const view = document.getElementById("view");
  const form = document.getElementById("search");
  const FIELDS = ["case_no", "officer", "device", "party", "from", "to"];

  // ---- DOM helpers -----------------------------------------------------------------------

  // el("td", {class: "x"}, "text", child, …): text children become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      node.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function show(state, ...nodes) {
    view.replaceChildren(...nodes);
    view.setAttribute("data-view", state);
  }

  function fail(message) {
    show("error", el("p", { class: "error", id: "error" }, message));
  }

  // ISO 8601 UTC → Beijing time (UTC+8), as the regulation's records are read.
  function beijing(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return iso || "";
    const d = new Date(t + 8 * 3600 * 1000).toISOString();
    return d.slice(0, 10) + " " + d.slice(11, 19);
  }

  function shortHex(hex, n) {
    return hex && hex.length > n ? hex.slice(0, n) + "…" : hex || "";
  }

  function caseLink(caseNo) {
    return el("a", { href: "#/case/" + encodeURIComponent(caseNo) }, caseNo);
  }

  function entryLink(seq) {
    return el("a", { href: "#/entry/" + encodeURIComponent(String(seq)) }, "#" + seq);
  }

  function pill(cls, text, title) {
    return el("span", { class: "pill " + cls, title: title }, text);
  }

  async function getJson(path) {
    const response = await fetch(path, { headers: { accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error("服务器返回的不是 JSON (HTTP " + response.status + ")");
    }
    if (!response.ok) {
      const message = body && body.error ? body.error : "HTTP " + response.status;
      const err = new Error(message);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  function setOrigin(origin) {
    if (origin) document.getElementById("origin").textContent = "账本 " + origin;
  }

  // ---- search ----------------------------------------------------------------------------

  function queryFromForm() {
    const params = new URLSearchParams();
    for (const name of FIELDS) {
      const v = form.elements[name].value.trim();
      if (v) params.set(name, v);
    }
    return params;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/search?" + queryFromForm().toString();
  });

  function counts(c) {
    const span = el("span");
    if (c.violation) span.append(pill("violation", "违规 " + c.violation));
    if (c.warning) span.append(pill("warning", "警示 " + c.warning));
    if (c.notice) span.append(pill("notice", "提示 " + c.notice));
    if (!c.violation && !c.warning && !c.notice) span.append(pill("included", "无问题"));
    return span;
  }

  function keyList(keys) {
    return keys.map((k) => (k.holder ? k.holder : shortHex(k.key, 20))).join("、");
  }

  async function searchView(params) {
    for (const name of FIELDS) form.elements[name].value = params.get(name) || "";
    show("loading", el("p", { class: "muted" }, "查询中…"));
    let result;
    try {
      result = await getJson("/v1/cases?" + params.toString());
    } catch (e) {
      return fail("查询失败：" + e.message);
    }
    setOrigin(result.origin);
    const rows = result.cases.map((c) =>
      el(
        "tr",
        { "data-case": c.case_no },
        el("td", {}, caseLink(c.case_no)),
        el("td", {}, c.status_zh),
        el("td", {}, c.act_zh || ""),
        el("td", {}, c.matter || ""),
        el("td", {}, c.unit || ""),
        el("td", {}, c.officers.join("、")),
        el("td", {}, keyList(c.devices)),
        el("td", { class: "mono" }, c.parties.map((p) => p.field_zh + " " + shortHex(p.commitment, 12)).join("\n")),
        el("td", {}, beijing(c.first_logged), el("br"), beijing(c.last_logged)),
        el("td", {}, String(c.entries)),
        el("td", {}, counts(c.findings))
      )
    );
    const table = el(
      "table",
      { id: "cases" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...["案件", "状态", "执法类别", "事项", "执法单位", "执法人员", "设备", "当事人（承诺值）", "时间（北京时间）", "记录数", "审计发现"].map((h) =>
            el("th", {}, h)
          )
        )
      ),
      el("tbody", {}, ...rows)
    );
    const summary = el(
      "p",
      { class: "muted", id: "total", "data-total": result.total },
      "共 " + result.total + " 件案件" + (result.truncated ? "（仅列出前 " + result.cases.length + " 件）" : "") +
        " · 账本共 " + result.entries + " 条记录 · 审计时点 " + beijing(result.as_of)
    );
    show("search", el("h2", {}, "案件查询"), summary, result.total ? table : el("p", {}, "没有符合条件的案件。"));
  }

  // ---- case timeline ---------------------------------------------------------------------

  function mediaList(media) {
    if (!media.length) return "";
    return el(
      "ul",
      { class: "media" },
      ...media.map((m) =>
        el(
          "li",
          {},
          m.name ? m.name + " " : "",
          el("code", { title: "BLAKE3 " + m.digest }, shortHex(m.digest, 16)),
          m.length !== null && m.length !== undefined ? el("span", { class: "muted" }, " " + m.length + " B") : ""
        )
      )
    );
  }

  function proofCell(p) {
    if (p.status === "included") {
      return pill("included", "已纳入检查点 " + p.tree_size, "included in the latest checkpoint (size " + p.tree_size + ")");
    }
    return pill("not_yet_sealed", "尚未封存", "not yet sealed: no checkpoint covers it yet");
  }

  function findingItem(f) {
    return el(
      "li",
      { class: f.severity, "data-rule": f.rule },
      pill(f.severity, f.severity_zh),
      " ",
      el("b", {}, f.article_zh),
      el("span", { class: "muted" }, " (" + f.article + ", " + f.rule + ") "),
      f.breach_zh,
      el("br"),
      f.message_zh || f.message,
      f.seqs.length ? el("span", { class: "muted" }, " · 记录 ") : "",
      ...f.seqs.slice(0, 20).flatMap((s) => [entryLink(s), " "])
    );
  }

  async function caseView(caseNo) {
    show("loading", el("p", { class: "muted" }, "加载案件…"));
    let t;
    try {
      t = await getJson("/v1/cases/" + encodeURIComponent(caseNo));
    } catch (e) {
      return fail((e.status === 404 ? "没有此案件：" : "加载失败：") + e.message);
    }
    setOrigin(t.origin);
    const c = t.case;
    const facts = el(
      "dl",
      { class: "facts" },
      el("dt", {}, "案件编号"), el("dd", { id: "case-no" }, c.case_no),
      el("dt", {}, "状态"), el("dd", {}, c.status_zh),
      el("dt", {}, "执法类别"), el("dd", {}, c.act_zh || ""),
      el("dt", {}, "执法事项"), el("dd", {}, c.matter || ""),
      el("dt", {}, "执法单位"), el("dd", {}, c.unit || ""),
      el("dt", {}, "执法人员"), el("dd", {}, c.officers.join("、")),
      el("dt", {}, "设备"), el("dd", {}, keyList(c.devices)),
      el("dt", {}, "当事人（承诺值）"),
      el("dd", { class: "mono" }, ...c.parties.flatMap((p) => [p.field_zh + " " + p.commitment, el("br")])),
      el("dt", {}, "时间"), el("dd", {}, beijing(c.first_logged) + " 至 " + beijing(c.last_logged) + "（北京时间）"),
      el("dt", {}, "检查点"),
      el("dd", {}, t.checkpoint ? "最新检查点 " + t.checkpoint.size + " 条 · 根 " + shortHex(t.checkpoint.root, 16) : "无可用检查点：" + (t.checkpoint_error || "")),
      el("dt", {}, "审计发现"), el("dd", {}, counts(c.findings), el("span", { class: "muted" }, " 审计时点 " + beijing(t.as_of)))
    );
    const rows = t.entries.map((e) =>
      el(
        "tr",
        { "data-seq": e.seq, class: e.severity || "" },
        el("td", {}, entryLink(e.seq)),
        el("td", {}, beijing(e.logged_at), e.time !== e.logged_at ? el("div", { class: "muted" }, "陈述 " + beijing(e.time)) : ""),
        el("td", {}, el("b", {}, e.kind_zh || e.kind), el("div", { class: "muted" }, e.kind)),
        el("td", {}, e.holder || shortHex(e.author, 20), e.role ? el("div", { class: "muted" }, e.role) : ""),
        el("td", {}, e.detail),
        el("td", {}, mediaList(e.media)),
        el("td", {}, ...e.rules.map((r) => pill(e.severity || "notice", r))),
        el("td", { class: "proof" }, proofCell(e.proof))
      )
    );
    const timeline = el(
      "table",
      { id: "timeline" },
      el(
        "thead",
        {},
        el("tr", {}, ...["记录", "记录时间", "事件", "签署人", "内容", "介质摘要 (BLAKE3)", "审计", "证明"].map((h) => el("th", {}, h)))
      ),
      el("tbody", {}, ...rows)
    );
    const parts = [el("h2", {}, "案件 ", c.case_no), facts, el("h3", {}, "记录时间线（" + t.entries.length + " 条）"), timeline];
    if (t.entries_omitted) parts.push(el("p", { class: "muted" }, "另有 " + t.entries_omitted + " 条未列出。"));
    parts.push(el("h3", {}, "审计发现（" + t.findings.length + "）"));
    parts.push(t.findings.length ? el("ul", { class: "findings", id: "findings" }, ...t.findings.map(findingItem)) : el("p", {}, "无审计发现。"));
    if (t.evidence.length) {
      parts.push(el("h3", {}, "证据清单"));
      parts.push(
        el(
          "table",
          { id: "evidence" },
          el("thead", {}, el("tr", {}, ...["序号", "名称", "来源", "证明对象", "大小", "摘要 (BLAKE3)", "记录"].map((h) => el("th", {}, h)))),
          el(
            "tbody",
            {},
            ...t.evidence.map((v) =>
              el(
                "tr",
                {},
                el("td", {}, String(v.no)),
                el("td", {}, v.name),
                el("td", {}, v.source),
                el("td", {}, v.proves),
                el("td", {}, v.length + " B"),
                el("td", { class: "mono", title: v.digest }, shortHex(v.digest, 16)),
                el("td", {}, entryLink(v.seq))
              )
            )
          )
        )
      );
    }
    show("case", ...parts);
  }

  // ---- proof check (WebCrypto) -----------------------------------------------------------

  const enc = new TextEncoder();

  function hexToBytes(hex) {
    if (typeof hex !== "string" || hex.length % 2 || /[^0-9a-f]/.test(hex)) throw new Error("not lower-case hex");
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function bytesToHex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function b64ToBytes(b64) {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  async function sha256(...parts) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
  }

  // RFC 9162 §2.1.3.2: the root from a leaf hash, its index, the tree size and the audit path.
  async function rootFromPath(leafIndex, treeSize, leaf, path) {
    if (leafIndex >= treeSize) throw new Error("leaf_index ≥ tree_size");
    let fn = leafIndex;
    let sn = treeSize - 1n;
    let r = leaf;
    for (const p of path) {
      if (sn === 0n) throw new Error("the path is longer than the tree allows");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await sha256(Uint8Array.of(1), p, r);
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = await sha256(Uint8Array.of(1), r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) throw new Error("the path is shorter than the tree requires");
    return r;
  }

  // A C2SP signed note: text (up to and including the first "\n" of the last "\n\n") and
  // signature lines "— name base64".
  function parseNote(note) {
    const split = note.lastIndexOf("\n\n");
    if (split < 0) throw new Error("the checkpoint is not a signed note");
    const text = note.slice(0, split + 1);
    const sigs = note.slice(split + 2).split("\n").filter((l) => l.length);
    const lines = text.slice(0, -1).split("\n");
    if (lines.length < 3) throw new Error("the checkpoint body has fewer than 3 lines");
    const signatures = sigs.map((l) => {
      if (!l.startsWith("\u2014 ")) throw new Error("a signature line does not start with an em dash");
      const rest = l.slice(2);
      const space = rest.indexOf(" ");
      return { name: rest.slice(0, space), bytes: b64ToBytes(rest.slice(space + 1)) };
    });
    return { text, origin: lines[0], size: BigInt(lines[1]), root: b64ToBytes(lines[2]), signatures };
  }

  // A C2SP vkey: name+keyid+base64(0x01 || 32-byte Ed25519 key).
  async function parseVkey(vkey) {
    const first = vkey.indexOf("+");
    const second = vkey.indexOf("+", first + 1);
    if (first < 0 || second < 0) throw new Error("not a vkey");
    const name = vkey.slice(0, first);
    const id = vkey.slice(first + 1, second);
    const raw = b64ToBytes(vkey.slice(second + 1));
    if (raw.length !== 33 || raw[0] !== 1) throw new Error("not an Ed25519 note key");
    const expected = (await sha256(enc.encode(name), Uint8Array.of(0x0a), raw)).slice(0, 4);
    if (bytesToHex(expected) !== id) throw new Error("the vkey's key id does not match its key");
    return { name, id: expected, key: raw.slice(1) };
  }

  // Runs every check; returns [{ok, what}] and whether the signature could be checked.
  async function checkProof(d, vkeyText) {
    const checks = [];
    const add = (ok, what) => {
      checks.push({ ok, what });
      return ok;
    };
    const p = d.proof;
    const entry = hexToBytes(d.entry_hex);
    const leaf = await sha256(Uint8Array.of(0), entry);
    add(bytesToHex(leaf) === p.leaf_hash, "叶哈希 SHA-256(0x00‖记录字节) = leaf_hash " + shortHex(bytesToHex(leaf), 16));
    if (p.entry !== undefined) add(equal(b64ToBytes(p.entry), entry), "证明所载记录字节与本记录一致 proof entry = entry bytes");
    const note = parseNote(p.checkpoint);
    add(note.origin === p.origin && note.origin === d.origin, "检查点来源 = 账本 origin " + note.origin);
    add(note.size === BigInt(p.tree_size), "检查点大小 = tree_size " + p.tree_size);
    let root = null;
    try {
      root = await rootFromPath(BigInt(p.leaf_index), BigInt(p.tree_size), hexToBytes(p.leaf_hash), p.path.map(hexToBytes));
    } catch (e) {
      add(false, "默克尔路径无效 " + e.message);
    }
    if (root) add(equal(root, note.root), "RFC 6962 路径（" + p.path.length + " 个节点）推出的根 = 检查点根 " + shortHex(bytesToHex(note.root), 16));
    // The signature, with the vkey given (or the one genesis declares, as the server says).
    let signature = "unsupported";
    try {
      const vk = await parseVkey(vkeyText);
      const line = note.signatures.find((s) => s.name === vk.name && s.bytes.length === 68 && equal(s.bytes.slice(0, 4), vk.id));
      if (!add(vk.name === note.origin, "验证密钥名称 = 检查点来源")) {
        signature = "failed";
      } else if (!line) {
        add(false, "检查点没有此验证密钥（" + bytesToHex(vk.id) + "）的签名");
        signature = "failed";
      } else {
        let key = null;
        try {
          key = await crypto.subtle.importKey("raw", vk.key, { name: "Ed25519" }, false, ["verify"]);
        } catch (e) {
          key = null;
        }
        if (key) {
          const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, line.bytes.slice(4), enc.encode(note.text));
          add(ok, "检查点 Ed25519 签名有效（密钥 " + bytesToHex(vk.id) + "）");
          signature = ok ? "verified" : "failed";
        } else {
          checks.push({ ok: null, what: "本浏览器不支持 WebCrypto Ed25519：检查点签名未核验 the signature was NOT checked" });
        }
      }
    } catch (e) {
      add(false, "验证密钥无效：" + e.message);
      signature = "failed";
    }
    return { checks, signature };
  }

  async function entryView(seqText, vkeyOverride) {
    show("loading", el("p", { class: "muted" }, "加载记录…"));
    let d;
    try {
      d = await getJson("/v1/entries/" + encodeURIComponent(seqText));
    } catch (e) {
      return fail((e.status === 404 ? "没有此记录：" : "加载失败：") + e.message);
    }
    setOrigin(d.origin);
    const cases = [];
    const caseNo = d.event && Object.values(d.event)[0] && Object.values(d.event)[0].case_no;
    if (typeof caseNo === "string") cases.push(caseLink(caseNo));
    const facts = el(
      "dl",
      { class: "facts" },
      el("dt", {}, "记录序号"), el("dd", { id: "seq" }, String(d.seq)),
      el("dt", {}, "事件"), el("dd", {}, el("b", {}, d.kind_zh || d.kind), " ", el("span", { class: "muted" }, d.kind)),
      el("dt", {}, "案件"), el("dd", {}, ...(cases.length ? cases : ["—"])),
      el("dt", {}, "记录时间"), el("dd", {}, beijing(d.logged_at) + "（北京时间） " + d.logged_at),
      el("dt", {}, "陈述时间"), el("dd", {}, beijing(d.time) + " " + d.time),
      el("dt", {}, "签署人"), el("dd", {}, (d.holder || "未登记") + (d.role ? " · " + d.role : ""), el("div", { class: "mono" }, d.author)),
      el("dt", {}, "内容"), el("dd", {}, d.details.join(" · ")),
      el("dt", {}, "介质摘要"), el("dd", {}, mediaList(d.media) || "—"),
      el("dt", {}, "叶哈希"), el("dd", { class: "mono" }, d.leaf_hash),
      el("dt", {}, "验证密钥"), el("dd", { class: "mono", id: "vkey" }, vkeyOverride || d.vkey)
    );
    const result = el("div", { id: "proof-result", "data-proof": "checking" }, "正在浏览器中核验证明…");
    const parts = [el("h2", {}, "记录 #" + d.seq), facts, el("h3", {}, "证明 inclusion proof"), result];
    parts.push(el("details", {}, el("summary", {}, "记录字节 (hex) 与签名检查点"), el("pre", { id: "entry-hex" }, d.entry_hex), el("pre", { id: "checkpoint" }, d.checkpoint || "")));
    parts.push(el("details", {}, el("summary", {}, "事件 (JSON)"), el("pre", {}, JSON.stringify(d.event, null, 2))));
    show("entry", ...parts);
    if (!d.proof) {
      result.setAttribute("data-proof", "unavailable");
      result.replaceChildren(el("b", {}, "尚无证明 not yet sealed："), " ", d.proof_error || "");
      return;
    }
    let outcome;
    try {
      outcome = await checkProof(d, vkeyOverride || d.vkey);
    } catch (e) {
      outcome = { checks: [{ ok: false, what: "核验出错：" + e.message }], signature: "failed" };
    }
    const failed = outcome.checks.some((c) => c.ok === false);
    const verdict = failed
      ? "核验失败：此证明不能证明本记录在签名检查点中 — the proof does NOT verify"
      : outcome.signature === "verified"
        ? "已核验：本记录包含在签名检查点（大小 " + d.proof.tree_size + "）中，默克尔路径与 Ed25519 签名均在本浏览器中核验 — verified in this browser (Merkle path and signature)"
        : "默克尔路径已核验，但检查点签名未核验 — Merkle path verified; signature NOT checked";
    const source = vkeyOverride ? "所用验证密钥由您在地址中提供 (vkey from the URL)" : "所用验证密钥为账本创世记录所声明、由本服务器提供：请与独立取得的密钥比对 (vkey as served: compare it with one obtained independently)";
    result.setAttribute("data-proof", failed ? "failed" : "verified");
    result.setAttribute("data-signature", outcome.signature);
    result.replaceChildren(
      el("b", { id: "proof-verdict" }, verdict),
      el("ol", { class: "checks" }, ...outcome.checks.map((c) => el("li", { class: c.ok === false ? "bad" : c.ok ? "ok" : "" }, (c.ok === false ? "✗ " : c.ok ? "✓ " : "？ ") + c.what))),
      el("p", { class: "muted" }, source)
    );
  }

  // ---- routing ---------------------------------------------------------------------------

  // #/ · #/search?case_no=… · #/case/<case number> · #/entry/<seq>[?vkey=<vkey, %-encoded>]
  async function route() {
    try {
      const hash = location.hash.replace(/^#/, "") || "/";
      const at = hash.indexOf("?");
      const path = at < 0 ? hash : hash.slice(0, at);
      const params = new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
      if (path.startsWith("/case/")) return await caseView(decodeURIComponent(path.slice(6)));
      if (path.startsWith("/entry/")) return await entryView(decodeURIComponent(path.slice(7)), params.get("vkey"));
      return await searchView(path === "/search" ? params : new URLSearchParams());
    } catch (e) {
      fail("出错：" + e.message);
    }
  }

  window.addEventListener("hashchange", route);
  route();
})();

// The check-and-ship tab (validate, train with progress, compare, activate, roll back)
// and the change log.
import { $, btn, clear, el, get, intentName, pct, post, say, setIntentLabels } from "./trainer_api.js";

let shown = null; // the candidate whose report is on screen

const SETS = { heldout: "留出集 (data/nlu 的固定 20%)", shared_eval: "评测集 (../shared/eval)" };
const ACTIONS = {
  annotate: "保存例句", discard: "丢弃", dict_add: "加入词典", flag: "客服标记", validate: "检查数据",
  train: "训练", compare: "比较", activate: "上线", rollback: "回滚",
};

export async function showShip() {
  const data = await get("/trainer/candidates");
  setIntentLabels(data.intent_labels);
  const models = data.models;
  const name = (path) => (path ? path.split("/").pop() : "无");
  $("models-state").textContent = `正在使用: ${name(models.active)} · 上一个: ${name(models.previous)}`;
  $("btn-rollback").disabled = !models.previous;
  const body = clear($("cand-table").tBodies[0]);
  for (const c of data.candidates) {
    const row = body.insertRow();
    row.insertCell().textContent = c.name + (models.active === c.model ? "（使用中）" : "");
    row.insertCell().textContent = c.user;
    row.insertCell().textContent = c.created;
    const cell = row.insertCell();
    cell.appendChild(btn("比较", () => runJob("compare", c.name)));
    if (c.compared) cell.appendChild(btn("查看报告", () => showReport(c.name)));
  }
  const running = data.jobs.find((j) => j.state === "running");
  if (running) follow(running.id);
}

async function runJob(kind, candidate) {
  try {
    const { id } = await post("/trainer/jobs", { kind, candidate });
    follow(id);
  } catch (err) {
    say($("job-stage"), err.message);
  }
}

async function follow(id) {
  const bar = $("job-progress");
  bar.hidden = false;
  $("job-output").hidden = true;
  for (;;) {
    let job = null;
    try {
      job = await get(`/trainer/jobs/${encodeURIComponent(id)}`);
    } catch (_) {
      job = null; // not written yet
    }
    if (job) {
      bar.value = job.progress;
      say($("job-stage"), `${job.kind}: ${job.stage} (${Math.round(job.progress * 100)}%)`, true);
      if (job.state !== "running") return finished(job);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function finished(job) {
  $("job-progress").hidden = true;
  const out = $("job-output");
  if (job.state === "failed") {
    say($("job-stage"), `${job.kind} 失败`);
    out.textContent = job.error;
    out.hidden = false;
    return;
  }
  if (job.kind === "validate") {
    say($("job-stage"), job.result.ok ? "数据检查通过" : "数据检查发现问题", job.result.ok);
    out.textContent = job.result.output;
    out.hidden = !job.result.output;
  } else if (job.kind === "train") {
    say($("job-stage"), `训练完成: ${job.result.name}，正在和当前模型比较…`, true);
    showShip();
    runJob("compare", job.result.name);
    return;
  } else if (job.kind === "compare") {
    say($("job-stage"), "比较完成", true);
    showReport(job.result.name || shown);
  }
  showShip();
}

async function showReport(name) {
  shown = name;
  const report = await get(`/trainer/candidates/${encodeURIComponent(name)}/report`);
  $("report").hidden = false;
  $("report-name").textContent = name;
  const notes = clear($("report-notes"));
  for (const note of report.notes) notes.appendChild(el("li", "", note));
  const sets = clear($("report-sets"));
  for (const [key, set] of Object.entries(report.sets)) {
    sets.appendChild(el("h3", "", SETS[key] || key));
    sets.appendChild(summary(set));
    sets.appendChild(changes("以前对、现在错的例句", set.regressions, "worse"));
    sets.appendChild(changes("以前错、现在对的例句", set.fixes, "better"));
    sets.appendChild(perIntent(set));
    const img = el("img", "confusion");
    img.alt = `混淆矩阵 ${key}`;
    img.src = `/console/api/trainer/candidates/${encodeURIComponent(name)}/${set.confusion_png}`;
    sets.appendChild(img);
  }
}

function summary(set) {
  const table = el("table", "summary");
  const head = table.createTHead().insertRow();
  for (const h of ["", "准确率", "宏平均 F1", "加权 F1", "条数"]) head.appendChild(el("th", "", h));
  for (const who of ["current", "candidate"]) {
    if (!set[who]) continue;
    const row = table.insertRow();
    row.insertCell().textContent = who === "current" ? "当前模型" : "候选模型";
    for (const k of ["accuracy", "macro_f1", "weighted_f1"]) row.insertCell().textContent = pct(set[who][k]);
    row.insertCell().textContent = set[who].n;
  }
  return table;
}

function changes(title, rows, cls) {
  const box = el("details", cls);
  box.open = cls === "worse" && rows.length > 0;
  box.appendChild(el("summary", "", `${title}: ${rows.length}`));
  const ul = el("ul");
  for (const r of rows) {
    const line = `${r.text} — 应为 ${intentName(r.gold)}，当前 ${intentName(r.current)}，候选 ${intentName(r.candidate)}`;
    ul.appendChild(el("li", "", line));
  }
  box.appendChild(ul);
  return box;
}

function perIntent(set) {
  const box = el("details");
  box.appendChild(el("summary", "", "每个意图的精确率 / 召回率 / F1"));
  const table = el("table");
  const head = table.createTHead().insertRow();
  for (const h of ["意图", "条数", "F1 当前", "F1 候选", "召回 候选", "精确 候选"]) head.appendChild(el("th", "", h));
  for (const [intent, c] of Object.entries(set.candidate.per_intent)) {
    if (!c.support) continue;
    const old = set.current && set.current.per_intent[intent];
    const row = table.insertRow();
    row.insertCell().textContent = intentName(intent);
    row.insertCell().textContent = c.support;
    row.insertCell().textContent = old ? old.f1.toFixed(2) : "–";
    const f1 = row.insertCell();
    f1.textContent = c.f1.toFixed(2);
    if (old && c.f1 < old.f1) f1.className = "worse";
    if (old && c.f1 > old.f1) f1.className = "better";
    row.insertCell().textContent = c.recall.toFixed(2);
    row.insertCell().textContent = c.precision.toFixed(2);
  }
  box.appendChild(table);
  return box;
}

$("btn-validate").addEventListener("click", () => runJob("validate"));
$("btn-train").addEventListener("click", () => runJob("train"));

$("btn-activate").addEventListener("click", async () => {
  if (!shown || !window.confirm(`确定让 ${shown} 接替当前模型回答买家吗？随时可以回滚。`)) return;
  try {
    await post("/trainer/activate", { candidate: shown });
    say($("job-stage"), `${shown} 已上线`, true);
  } catch (err) {
    say($("job-stage"), err.message);
  }
  showShip();
});

$("btn-rollback").addEventListener("click", async () => {
  if (!window.confirm("回滚到上一个模型？")) return;
  try {
    const models = await post("/trainer/rollback");
    say($("job-stage"), `已回滚到 ${models.active.split("/").pop()}`, true);
  } catch (err) {
    say($("job-stage"), err.message);
  }
  showShip();
});

export async function showLog() {
  const data = await get("/trainer/log");
  const body = clear($("log-table").tBodies[0]);
  for (const c of data.changes) {
    const row = body.insertRow();
    row.insertCell().textContent = c.time;
    row.insertCell().textContent = c.user;
    row.insertCell().textContent = ACTIONS[c.action] || c.action;
    const model = c.model ? c.model.split("/").pop() : "";
    const what = c.example || c.word || c.text || c.candidate || model || (c.ok === undefined ? "" : c.ok ? "通过" : "有问题");
    row.insertCell().textContent = [what, c.intent && intentName(c.intent), c.file].filter(Boolean).join(" · ");
  }
}

// kgraphs interactive page: open a model's groups, pan and zoom, read each layer's facts.
//
// #kgraphs-data holds the model, its layers and its views as JSON. Each view's drawing,
// made by Graphviz in advance, waits in a <template data-view="ID">. Graphviz gives every
// box a <g class="node"> whose <title> is the box id; view.boxes maps that id to what a
// click does: ["view", ID] opens another view, ["layer", KEY] shows a layer's facts.
"use strict";

const data = JSON.parse(document.getElementById("kgraphs-data").textContent);
const views = new Map(data.views.map((view) => [view.id, view]));
const templates = new Map(
  [...document.querySelectorAll("template[data-view]")].map((t) => [t.dataset.view, t]),
);
const stage = document.getElementById("stage");
const panel = document.getElementById("panel");
const crumbs = document.getElementById("crumbs");
const pageTitle = document.title;

let current = null; // the view shown
let svg = null; // its drawing
let zoom = { scale: 1, x: 0, y: 0 };
let pinned = null; // the layer box clicked last, shown when nothing is hovered
let hovered = null;

// -- views and the URL hash ------------------------------------------------------------

// "#group:conv3" names a view; "" (no hash) is the top level.
function viewInHash() {
  const id = decodeURIComponent(location.hash.slice(1));
  return views.has(id) ? id : "";
}

function go(id) {
  const hash = encodeURIComponent(id).replace(/%3A/g, ":").replace(/%2F/g, "/");
  if (id === viewInHash()) return;
  location.hash = hash; // the back button returns
  // Shown now, not when the hashchange event comes (a task later): whatever reads the page
  // right after the click, a reader or a test, sees the view it asked for.
  show(id);
}

function show(id) {
  current = views.get(id);
  stage.replaceChildren(templates.get(id).content.cloneNode(true));
  svg = stage.querySelector("svg");
  for (const node of svg.querySelectorAll("g.node")) {
    const box = node.querySelector("title").textContent;
    const action = current.boxes[box];
    node.dataset.box = box;
    if (action) node.dataset.action = action[0] === "view" ? "open" : "layer";
  }
  pinned = hovered = null;
  document.title = current.parent === null ? pageTitle : `${current.label} · ${pageTitle}`;
  document.getElementById("up").disabled = current.parent === null;
  showCrumbs();
  describeView(current);
  openAtReadableSize();
}

function showCrumbs() {
  const path = [];
  for (let view = current; view; view = view.parent === null ? null : views.get(view.parent)) {
    path.unshift(view);
  }
  crumbs.replaceChildren();
  path.forEach((view, index) => {
    if (index > 0) crumbs.append(element("span", "›", { class: "sep" }));
    const last = index === path.length - 1;
    const crumb = element(last ? "span" : "a", view.label, last ? {} : { href: "#" });
    if (!last) {
      crumb.addEventListener("click", (event) => {
        event.preventDefault();
        go(view.id);
      });
    }
    crumbs.append(crumb);
  });
}

function up() {
  if (current.parent !== null) go(current.parent);
}

// -- the facts panel -------------------------------------------------------------------

function element(tag, text, attributes = {}) {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  return made;
}

function count(number) {
  return String(number).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// A definition list; `data-field` names each value for tests and for copying.
function facts(rows) {
  const list = element("dl");
  for (const [field, label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    list.append(element("dt", label), element("dd", String(value), { "data-field": field }));
  }
  return list;
}

function describeLayer(key) {
  const layer = data.layers[key];
  const calls = layer.calls > 1 ? `${layer.calls} (shared: one set of weights)` : "1";
  panel.replaceChildren(
    element("h2", layer.name),
    element("p", `${layer.class_name} layer`, { class: "kind" }),
    facts([
      ["class_name", "Class", layer.class_name],
      ["parameters", "Parameters", count(layer.parameters)],
      ["input_shape", "Input shape", layer.input_shape],
      ["output_shape", "Output shape", layer.output_shape],
      ["calls", "Calls", calls],
      ["activation", "Activation", layer.activation],
      ["dtype", "dtype", layer.dtype],
      ["trainable", "Trainable", layer.trainable ? "yes" : "no"],
      ["model", "Nested model", layer.model],
    ]),
    element("h3", "Arguments"),
    element("pre", JSON.stringify(layer.arguments, null, 2), { id: "arguments" }),
  );
}

function describeView(view) {
  const heading = view.parent === null ? data.model.name : view.label;
  const what =
    view.parent === null
      ? "the whole model"
      : view.kind === "run"
        ? "a run of groups with the same structure"
        : `group (${view.kind})`;
  const rows = [
    ["layers", "Layers", count(view.layers)],
    ["parameters", "Parameters", count(view.parameters)],
    ["shapes", "Shapes", `${view.shapes[0]} → ${view.shapes[1]}`],
    ["calls", "Calls", view.shared_calls > 1 ? `${view.shared_calls} (shared)` : null],
  ];
  if (view.parent === null) {
    rows.push(["inputs", "Inputs", data.model.inputs.join(", ")]);
    rows.push(["outputs", "Outputs", data.model.outputs.join(", ")]);
  }
  const hint =
    view === current
      ? "Hover or click a box for its facts; click a blue box to open it."
      : "Click to open.";
  panel.replaceChildren(
    element("h2", heading),
    element("p", what, { class: "kind" }),
    facts(rows),
    element("p", hint, { class: "kind" }),
  );
}

// What a box's facts are: a layer's, or those of the view it opens.
function describeBox(node) {
  const action = node && current.boxes[node.dataset.box];
  if (!action) describeView(current);
  else if (action[0] === "view") describeView(views.get(action[1]));
  else describeLayer(action[1]);
}

// -- pan and zoom ----------------------------------------------------------------------

function applyZoom() {
  svg.style.transform = `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})`;
}

// Graphviz writes the size in points; `baseVal.value` reads it in CSS pixels.
function drawingSize() {
  return { width: svg.width.baseVal.value, height: svg.height.baseVal.value };
}

const MARGIN = 16; // px around a fitted drawing
const READABLE = 0.6; // below this scale, labels are too small to read

// Show the drawing at `scale`, centred across, and centred down when it fits.
function place(scale) {
  const { width, height } = drawingSize();
  zoom = {
    scale,
    x: (stage.clientWidth - width * scale) / 2,
    y: Math.max(MARGIN, (stage.clientHeight - height * scale) / 2),
  };
  applyZoom();
}

// The whole drawing in the window (a small one is not blown up past 1.2).
function fit() {
  const { width, height } = drawingSize();
  const across = (stage.clientWidth - 2 * MARGIN) / width;
  place(Math.min(across, (stage.clientHeight - 2 * MARGIN) / height, 1.2));
}

// A view opens whole when it is readable that way; a long one (24 blocks of DenseNet)
// opens at its top at a readable size, to pan down or zoom out from.
function openAtReadableSize() {
  fit();
  if (zoom.scale >= READABLE) return;
  const across = (stage.clientWidth - 2 * MARGIN) / drawingSize().width;
  place(Math.max(zoom.scale, Math.min(across, 1)));
}

// Zoom by `factor` keeping the point (x, y) of the stage where it is.
function zoomAt(factor, x, y) {
  const scale = Math.min(8, Math.max(0.02, zoom.scale * factor));
  zoom.x = x - ((x - zoom.x) * scale) / zoom.scale;
  zoom.y = y - ((y - zoom.y) * scale) / zoom.scale;
  zoom.scale = scale;
  applyZoom();
}

stage.addEventListener(
  "wheel",
  (event) => {
    event.preventDefault();
    const rect = stage.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.002), event.clientX - rect.left, event.clientY - rect.top);
  },
  { passive: false },
);

// A press that moves more than a few pixels pans; otherwise it is a click on a box.
let drag = null;
let dragged = false;
stage.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  drag = { x: event.clientX, y: event.clientY, from: { ...zoom }, pointer: event.pointerId };
  dragged = false;
});
stage.addEventListener("pointermove", (event) => {
  if (!drag) return;
  const dx = event.clientX - drag.x;
  const dy = event.clientY - drag.y;
  if (!dragged && Math.hypot(dx, dy) < 4) return;
  if (!dragged) {
    dragged = true;
    stage.setPointerCapture(drag.pointer);
    stage.classList.add("dragging");
  }
  zoom.x = drag.from.x + dx;
  zoom.y = drag.from.y + dy;
  applyZoom();
});
function endDrag() {
  drag = null;
  stage.classList.remove("dragging");
}
stage.addEventListener("pointerup", endDrag);
stage.addEventListener("pointercancel", endDrag);

// -- clicks, hover and keys ------------------------------------------------------------

stage.addEventListener("click", (event) => {
  if (dragged) {
    dragged = false; // the end of a pan, not a click
    return;
  }
  const node = event.target.closest("g.node");
  const action = node && current.boxes[node.dataset.box];
  if (action && action[0] === "view") {
    go(action[1]);
    return;
  }
  if (pinned) pinned.classList.remove("selected");
  pinned = action ? node : null;
  if (pinned) pinned.classList.add("selected");
  describeBox(pinned);
});

stage.addEventListener("mouseover", (event) => {
  if (drag) return;
  const node = event.target.closest("g.node");
  if (node === hovered) return;
  hovered = node;
  describeBox(node || pinned);
});
stage.addEventListener("mouseleave", () => {
  hovered = null;
  describeBox(pinned);
});

document.getElementById("up").addEventListener("click", up);
document.getElementById("fit").addEventListener("click", fit);
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === "Escape") up();
  else if (event.key === "f" || event.key === "F") fit();
});
window.addEventListener("hashchange", () => {
  // The back and forward buttons, and links; a view `go` has shown already stays as it is.
  if (views.get(viewInHash()) !== current) show(viewInHash());
});
window.addEventListener("resize", openAtReadableSize);

show(viewInHash());

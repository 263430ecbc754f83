// The chat box (ui/chat_box.py). A sent question stays in `unsent` until the server lists its id in data.acked,
// and every send posts the whole list as the component's state. Streamlit merges state updates that arrive
// together into one rerun, newest value winning; the newest list still holds every earlier question, so a burst
// of questions is never merged away.
const STORE = "__guidelineChatBox";

function build(parent) {
  const root = document.createElement("div");
  root.className = "gca-chat";
  root.setAttribute("data-testid", "stChatInput");
  const row = document.createElement("div");
  row.className = "gca-row";
  const area = document.createElement("textarea");
  area.rows = 1;
  area.setAttribute("data-testid", "stChatInputTextArea");
  area.setAttribute("aria-label", "Your question");
  const button = document.createElement("button");
  button.type = "button";
  button.setAttribute("data-testid", "stChatInputSubmitButton");
  button.setAttribute("aria-label", "Send");
  button.textContent = "\u27A4";
  const status = document.createElement("div");
  status.className = "gca-status";
  status.setAttribute("role", "status");
  row.append(area, button);
  root.append(row, status);
  parent.appendChild(root);
  return root;
}

function newId(box) {
  box.count += 1;
  return `${Date.now().toString(36)}-${box.count}-${Math.random().toString(36).slice(2, 10)}`;
}

export default function (component) {
  const { setStateValue, parentElement, data, key } = component;
  const settings = data || {};
  const store = (window[STORE] = window[STORE] || {});
  const box = (store[key] = store[key] || { unsent: [], count: 0 });
  const acked = new Set(settings.acked || []);
  box.unsent = box.unsent.filter((q) => !acked.has(q.id));

  const root = parentElement.querySelector(".gca-chat") || build(parentElement);
  const area = root.querySelector("textarea");
  const button = root.querySelector("button");
  const status = root.querySelector(".gca-status");
  area.placeholder = settings.placeholder || "";
  area.disabled = Boolean(settings.disabled);

  const resize = () => {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight}px`;
    button.disabled = area.disabled || !area.value.trim();
  };
  const showStatus = () => {
    const n = box.unsent.length;
    status.textContent = n ? `Sending ${n} question${n > 1 ? "s" : ""}…` : "";
  };
  const send = () => {
    if (area.disabled || !area.value.trim()) return;
    box.unsent.push({ id: newId(box), text: area.value });
    area.value = "";
    resize();
    showStatus();
    setStateValue("queue", box.unsent.slice());
  };
  area.onkeydown = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  };
  area.oninput = resize;
  button.onclick = send;
  resize();
  showStatus();
}

// What the modules share: who is logged in, which conversation is open, and a
// tiny event bus ("opened", "detail", "sent", "changed", "closed").

export const state = {
  me: null, // {username, display_name, roles}
  openId: null, // the open escalation's id
  detail: null, // GET /console/api/escalations/{id} of the open one
};

const listeners = new Map();

export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(fn);
}

export function emit(event, data) {
  (listeners.get(event) || []).forEach((fn) => fn(data));
}

// The escalation is assigned to the logged-in agent (who may reply and act on it).
export function isMine(escalation) {
  return Boolean(
    escalation &&
      state.me &&
      escalation.status === "assigned" &&
      escalation.agent &&
      escalation.agent.username === state.me.username,
  );
}

export function openEscalation() {
  return state.detail && state.detail.escalation ? state.detail.escalation : null;
}

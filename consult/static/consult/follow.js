// Follow buttons (consult/includes/follow_form.html) without a page reload.
//
// The form works on its own (POST, redirect back); with JavaScript the same
// action goes to the API (POST or DELETE .../follow/) and the button flips in
// place. Any failure falls back to submitting the form.

function csrfToken(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

async function toggle(form) {
  const action = form.elements.action;
  const following = action.value === "unfollow";
  const response = await fetch(form.dataset.apiUrl, {
    method: following ? "DELETE" : "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
  });
  if (!response.ok) throw new Error(`follow: ${response.status}`);
  const now = !following;
  action.value = now ? "unfollow" : "follow";
  form.querySelector("button").textContent = now
    ? form.dataset.labelUnfollow
    : form.dataset.labelFollow;
  form.querySelector("[data-consult-follow-status]").textContent = now
    ? form.dataset.msgFollowed
    : form.dataset.msgUnfollowed;
}

for (const form of document.querySelectorAll("form[data-consult-follow]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    toggle(form)
      .catch(() => form.submit())
      .finally(() => {
        button.disabled = false;
      });
  });
}

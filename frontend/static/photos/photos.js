// Photo manager: upload with progress and drag & drop, live processing state, drag reordering,
// delete confirmation. Everything also works without this file (plain form posts).
(function () {
  "use strict";
  const manager = document.querySelector(".photo-manager[data-photos-url]");
  if (!manager) return;
  const form = manager.querySelector(".photo-upload");
  const input = form.querySelector('input[type="file"]');
  const grid = manager.querySelector(".photo-grid");
  const errors = form.querySelector(".upload-errors");
  const progress = form.querySelector(".upload-progress");
  const statusLine = form.querySelector(".upload-status");
  const csrfToken = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const POLL_MS = 2000;

  function showErrors(messages) {
    errors.replaceChildren(...messages.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
  }

  function errorMessages(body, fallback) {
    if (!body || typeof body !== "object") return [fallback];
    return Object.values(body).flat().map(String);
  }

  // --- A draft's form ---------------------------------------------------------------------
  // On a draft's page the listing's form sits beside the photos: before anything here reloads
  // or leaves the page, the form is saved as "Save draft" would, so nothing the seller typed is
  // lost. Resolves true when saved (or there is no such form). A value the server refuses: the
  // form is posted the usual way instead, and the page comes back with the seller's values and
  // the errors (and any photos just added).
  async function keepDraft() {
    const draft = manager.querySelector(".draft-form");
    const save = draft && draft.querySelector("[data-save-draft]");
    if (!save) return true;
    try {
      const response = await fetch(save.formAction, {method: "POST", body: new FormData(draft)});
      // Saved: redirected back to this page (not, say, to the log-in page).
      if (response.redirected && new URL(response.url).pathname === window.location.pathname) {
        return true;
      }
      if (response.status === 400) {
        draft.requestSubmit(save);
        return false;
      }
    } catch (error) { /* offline: said below */ }
    showErrors(["Your listing's details could not be saved; press “Save draft” before you leave."]);
    return false;
  }

  // --- Upload (XHR for a progress bar) ---------------------------------------------------
  function upload(files) {
    if (!files.length) return;
    const data = new FormData();
    for (const file of files) data.append("images", file);
    const request = new XMLHttpRequest();
    request.open("POST", form.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", csrfToken);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = (100 * event.loaded) / event.total;
    });
    request.addEventListener("load", async () => {
      progress.hidden = true;
      if (request.status === 201) {
        statusLine.textContent = "Uploaded. Preparing your photos…";
        if (await keepDraft()) window.location.reload();
        return;
      }
      let body = null;
      try { body = JSON.parse(request.responseText); } catch (error) { /* not JSON */ }
      statusLine.textContent = "";
      showErrors(errorMessages(body, "The upload failed; please try again."));
    });
    request.addEventListener("error", () => {
      progress.hidden = true;
      statusLine.textContent = "";
      showErrors(["The connection was lost during the upload; nothing was saved. Please try again."]);
    });
    showErrors([]);
    progress.value = 0;
    progress.hidden = false;
    statusLine.textContent = `Uploading ${files.length} photo(s)…`;
    request.send(data);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    upload(Array.from(input.files));
  });

  const dropZone = form.querySelector(".drop-zone");
  ["dragenter", "dragover"].forEach((type) => dropZone.addEventListener(type, (event) => {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    dropZone.classList.add("is-over");
  }));
  ["dragleave", "drop"].forEach((type) => dropZone.addEventListener(type, () => {
    dropZone.classList.remove("is-over");
  }));
  dropZone.addEventListener("drop", (event) => {
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    upload(Array.from(event.dataTransfer.files));
  });

  // --- Live processing state -----------------------------------------------------------
  function stateText(photo) {
    if (photo.status === "pending") return "Processing…";
    if (photo.status === "done") return "Ready";
    return `Failed: ${photo.failure_reason}`;
  }

  function updateTile(photo) {
    const tile = grid.querySelector(`[data-photo-id="${photo.id}"]`);
    if (!tile || tile.dataset.status === photo.status) return;
    tile.dataset.status = photo.status;
    tile.querySelector(".photo-state").textContent = stateText(photo);
    if (photo.thumbnail_url) {
      const thumb = tile.querySelector(".photo-thumb");
      const image = thumb.querySelector("img") || thumb.appendChild(document.createElement("img"));
      image.src = photo.thumbnail_url;
      image.alt = "Photo";
    }
  }

  function anyPending() {
    return grid.querySelector('[data-status="pending"]') !== null;
  }

  async function poll() {
    try {
      const response = await fetch(manager.dataset.photosUrl, {headers: {Accept: "application/json"}});
      if (response.ok) (await response.json()).forEach(updateTile);
    } catch (error) { /* offline for a moment: try again next tick */ }
    if (anyPending()) window.setTimeout(poll, POLL_MS);
  }
  if (anyPending()) window.setTimeout(poll, POLL_MS);

  // --- Drag to reorder -----------------------------------------------------------------
  const tiles = () => Array.from(grid.querySelectorAll(".photo-tile"));
  const orderOf = (items) => items.map((tile) => Number(tile.dataset.photoId));
  let dragged = null;
  let before = [];  // the tiles as they were when the drag began
  grid.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".photo-tile");
    if (!dragged) return;
    before = tiles();
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.photoId);  // Firefox drags only with data
    dragged.classList.add("is-dragging");
  });
  grid.addEventListener("dragover", (event) => {
    if (!dragged) return;  // not one of our tiles: the grid refuses the drop
    // Accept the drop anywhere over the grid, the dragged tile included: once it has moved under
    // the pointer it stays there, and refusing the drop then cancels the whole drag.
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const target = event.target.closest(".photo-tile");
    if (!target || target === dragged) return;
    const box = target.getBoundingClientRect();
    const after = event.clientX > box.left + box.width / 2;
    target.parentNode.insertBefore(dragged, after ? target.nextSibling : target);
  });
  grid.addEventListener("drop", (event) => {
    if (dragged) event.preventDefault();  // the tiles are already in place
  });
  grid.addEventListener("dragend", async (event) => {
    if (!dragged) return;
    dragged.classList.remove("is-dragging");
    dragged = null;
    // Cancelled (Escape, or let go outside the grid): put the tiles back, send nothing.
    if (event.dataTransfer.dropEffect === "none") {
      grid.append(...before);
      return;
    }
    const order = orderOf(tiles());
    if (order.join() === orderOf(before).join()) return;
    showErrors([]);
    let failure = null;
    try {
      const response = await fetch(manager.dataset.reorderUrl, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json"},
        body: JSON.stringify({order}),
      });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        failure = errorMessages(body, "The new order could not be saved; please try again.");
      }
    } catch (error) {
      failure = ["The connection was lost; the new order was not saved. Please try again."];
    }
    if (failure) {
      grid.append(...before);  // the order that is still saved
      showErrors(failure);
      return;
    }
    // Saved: reload so the arrows and numbering match the new order.
    if (await keepDraft()) window.location.reload();
  });

  // The ↑/↓ buttons are plain form posts that load the page again.
  grid.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await keepDraft()) event.target.submit();
  });

  // --- Delete with confirmation ----------------------------------------------------------
  manager.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-confirm]");
    if (!link) return;
    event.preventDefault();
    if (!window.confirm(link.dataset.confirm) || !(await keepDraft())) return;
    const post = document.createElement("form");
    post.method = "post";
    post.action = link.href;
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrfToken;
    post.appendChild(token);
    document.body.appendChild(post);
    post.submit();
  });
})();

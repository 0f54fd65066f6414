// Live tallies and comments on a poll page: re-read the poll's API every few seconds and update
// counts and comments in place. Comment text is inserted with textContent, never as HTML.
// A closed poll no longer changes, and one that is gone for this visitor (deleted, unfriended,
// link revoked, logged out) will not come back: neither is polled.
(function () {
  "use strict";
  const poll = document.querySelector(".social-poll[data-live-url]");
  if (!poll || poll.dataset.closed === "1") return;
  const INTERVAL_MS = 4000;
  const GONE = [403, 404, 410];
  const list = poll.querySelector(".social-comment-list");

  // "1 vote", "2 votes": the same words as the page's template (`vote{{ n|pluralize }}`).
  function setCount(element, votes) {
    element.textContent = votes;
    const word = element.parentElement.querySelector(".social-vote-word");
    if (word) word.textContent = votes === 1 ? "vote" : "votes";
  }

  function render(data) {
    if (data.is_closed) {
      window.location.reload(); // the page shows the result once the poll is closed
      return;
    }
    for (const option of data.options) {
      const count = poll.querySelector(`[data-option-id="${option.id}"] .social-vote-count`);
      if (count) setCount(count, option.votes);
    }
    const total = poll.querySelector(".social-total");
    if (total) setCount(total, data.total_votes);
    for (const comment of data.comments) {
      if (list.querySelector(`[data-comment-id="${comment.id}"]`)) continue;
      const empty = list.querySelector(".social-empty");
      if (empty) empty.remove();
      const item = document.createElement("li");
      item.dataset.commentId = comment.id;
      const author = document.createElement("strong");
      author.textContent = comment.author.username;
      const body = document.createElement("span");
      body.className = "social-comment-body";
      body.textContent = comment.body;
      item.append(author, " ", body);
      list.append(item);
    }
  }

  async function refresh() {
    try {
      const response = await fetch(poll.dataset.liveUrl, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (GONE.includes(response.status)) clearInterval(timer);
      else if (response.ok) render(await response.json());
    } catch (error) {
      // Offline for a moment: try again on the next tick.
    }
  }

  const timer = setInterval(() => { if (!document.hidden) refresh(); }, INTERVAL_MS);
})();

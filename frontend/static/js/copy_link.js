// "Copy link" buttons: <button data-copy-target="ID"> copies the value of the input #ID.
// Where the clipboard cannot be written (an old browser, no permission, not HTTPS) the text is
// selected instead, so that the visitor can copy it with the system's own Copy.
(function () {
  "use strict";
  for (const button of document.querySelectorAll("button[data-copy-target]")) {
    const source = document.getElementById(button.dataset.copyTarget);
    const status = button.parentElement.querySelector(".copy-status");
    if (!source) continue;
    const say = (words) => { if (status) status.textContent = words; };

    function selectText() {
      source.focus();
      source.select();
      source.setSelectionRange(0, source.value.length); // iOS ignores select() alone
      say("Link selected: copy it with your device's Copy.");
    }

    button.addEventListener("click", () => {
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        selectText();
        return;
      }
      navigator.clipboard.writeText(source.value).then(() => {
        button.textContent = "Copied";
        say("The link is on your clipboard.");
      }, selectText);
    });
  }
})();

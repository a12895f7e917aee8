"use strict";
// Names each autocomplete box of the admin (select2) after its field's label. select2
// shows the chosen value in an element with role="textbox" but no name, which screen
// readers announce as a bare "textbox" (axe-core: aria-input-field-name). Rows added
// later (an inline's "Add another") get their names as they appear.
(function () {
    function nameBoxes() {
        document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
            const box = document.getElementById("select2-" + select.id + "-container");
            if (!box || box.hasAttribute("aria-label")) {
                return;
            }
            const label = document.querySelector('label[for="' + select.id + '"]');
            const text = label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
            box.setAttribute("aria-label", text);
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        nameBoxes();
        new MutationObserver(nameBoxes).observe(document.body, {childList: true, subtree: true});
    });
})();

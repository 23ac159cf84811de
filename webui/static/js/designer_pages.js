// Procesos: forms that change or move things ask first (the confirm text is on the form itself).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form.confirm-form");
    if (form && !window.confirm(form.dataset.confirm || "¿Continuar?")) event.preventDefault();
  });
})();

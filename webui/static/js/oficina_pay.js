// The hand-off to the payment platform: submit the signed checkout form on arrival, once (the CSP forbids inline
// scripts; the form's own button does the same without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosubmit]");
  if (form && !sessionStorage.getItem("cauce-pasarela-" + form.elements.reference.value)) {
    sessionStorage.setItem("cauce-pasarela-" + form.elements.reference.value, "1");
    form.submit();
  }
});

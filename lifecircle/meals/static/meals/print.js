// A "Print" button (data-print) opens the browser's print dialog; the print stylesheet keeps only the lists.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

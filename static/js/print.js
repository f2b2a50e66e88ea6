// Print buttons (data-print): the page's own script, allowed by the Content-Security-Policy.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

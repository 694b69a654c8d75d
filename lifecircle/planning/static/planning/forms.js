/* Form behaviour that used to be inline handlers (the Content-Security-Policy forbids those):
   a <select data-autosubmit> submits its form when changed; a <form data-confirm="question">
   asks the question before it is sent. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]") && event.target.form) {
      event.target.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();

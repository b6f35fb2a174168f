// The demo buyer switcher: choosing a buyer submits the form (the server sets
// the cookie and sends the page back). Without JavaScript the 切换 button does it.
(function () {
  var select = document.querySelector("select[data-autosubmit]");
  if (!select) return;
  var button = select.form.querySelector(".switch-btn");
  if (button) button.hidden = true;
  select.addEventListener("change", function () {
    select.form.submit();
  });
})();

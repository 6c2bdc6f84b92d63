// The SMS page: counts «Получить новый код можно через N сек.» down once a second and enables
// «Отправить код повторно» at zero. Whole seconds from the server's own figure, so a wrong
// clock in the browser cannot make the button appear early; the server checks again anyway.
(function () {
  var seconds = document.querySelector('[data-testid="sms-resend-seconds"]');
  var wait = document.getElementById("sms-resend-wait");
  var button = document.querySelector('[data-testid="sms-resend"]');
  if (!seconds || !wait || !button) return;
  var left = parseInt(seconds.dataset.seconds, 10) || 0;
  function tick() {
    if (left <= 0) {
      wait.hidden = true;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      button.removeAttribute("aria-describedby");
      return;
    }
    seconds.textContent = String(left);
    left -= 1;
    window.setTimeout(tick, 1000);
  }
  tick();
})();

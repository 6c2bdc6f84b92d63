"""Pages both drivers' tests read: the HTTP driver's (tests/harness/test_http_driver.py) and
Chromium's, their oracle (tests/browser/test_driver.py)."""

# every way a control is, or is not, disabled; data-disabled says what a browser reads
DISABLED_CASES = """
<form method="post" action="/next">
  <button data-testid="own" data-disabled="1" disabled>Своя</button>
  <button data-testid="enabled" data-disabled="0">Доступна</button>
  <button type="button" data-testid="script-button" data-disabled="0">Для скрипта</button>
  <span data-testid="span" data-disabled="0" disabled>Не элемент формы</span>
  <fieldset disabled>
    <legend><button data-testid="in-first-legend" data-disabled="0">В легенде</button></legend>
    <legend><button data-testid="in-second-legend" data-disabled="1">Вторая</button></legend>
    <input data-testid="in-fieldset" data-disabled="1" name="inside" value="x">
    <div><select data-testid="deep-in-fieldset" data-disabled="1" name="deep">
      <option value="a">a</option></select></div>
    <fieldset><button data-testid="nested" data-disabled="1">Вложенная</button></fieldset>
  </fieldset>
  <fieldset>
    <input data-testid="open-fieldset" data-disabled="0" name="outside" value="y">
  </fieldset>
</form>
"""

# a label that a container and the control inside it both read as
NESTED_LABEL = """
<form data-testid="only-a-button" method="post" action="/next">
  <button data-testid="the-button">Продолжить</button>
</form>
<p data-testid="later">Продолжить</p>
"""

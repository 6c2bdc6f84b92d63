"""What QA and CI drive the sandbox with: servers, an HTTP browser, scenarios, a pytest plugin."""

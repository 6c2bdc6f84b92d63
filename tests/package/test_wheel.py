"""The wheel holds every file of the packages, data included, and nothing else of the checkout."""

from __future__ import annotations

import zipfile
from configparser import ConfigParser

from gosuslugi_sandbox import __version__
from tests.package.build import checkout_files, installed_path, package_mapping


def test_every_package_file_and_data_file_is_in_the_wheel(sandbox_wheel):
    mapping = package_mapping()
    content = set(zipfile.ZipFile(sandbox_wheel).namelist())
    expected = {installed_path(n, mapping) for n in checkout_files()} - {None}
    assert {p for p in expected if p.endswith((".yaml", ".pem", ".html", ".mako", ".json"))}
    assert sorted(expected - content) == []


def test_nothing_but_the_packages_and_their_metadata(sandbox_wheel):
    names = zipfile.ZipFile(sandbox_wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    dist_info = f"gosuslugi_sandbox-{__version__}.dist-info"
    assert tops == {p.split(".")[0] for p in package_mapping()} | {dist_info}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_one_command_one_plugin_and_the_version(sandbox_wheel):
    wheel = zipfile.ZipFile(sandbox_wheel)
    entry_points = ConfigParser()
    entry_points.read_string(
        wheel.read(f"gosuslugi_sandbox-{__version__}.dist-info/entry_points.txt").decode()
    )
    assert dict(entry_points["console_scripts"]) == {
        "gosuslugi-sandbox": "gosuslugi_sandbox.harness.cli:main"
    }
    assert dict(entry_points["pytest11"]) == {"gosuslugi": "gosuslugi_sandbox.harness.plugin"}
    metadata = wheel.read(f"gosuslugi_sandbox-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata

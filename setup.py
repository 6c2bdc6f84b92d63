"""Which packages the wheel holds and where each lives in the repository.

pyproject.toml has everything else; only this mapping needs code: every subpackage of a
mapped directory is listed, so a new one ships without touching this file.
"""

from setuptools import find_namespace_packages, setup

# installed import name: repository directory (scripts/rename_packages.py writes this table)
PACKAGES = {
    "gosuslugi_sandbox": "gosuslugi_sandbox",
    "gosuslugi_sandbox.idp": "idp",
    "gosuslugi_sandbox.relying_party": "relying_party",
    "gosuslugi_sandbox.shared": "shared",
    "gosuslugi_sandbox.harness": "harness",
    "gosuslugi_sandbox.fixtures": "fixtures",
}


def packages() -> list[str]:
    """Each mapped package and its subpackages (data folders included) under its import name."""
    names = []
    for name, directory in PACKAGES.items():
        names.append(name)
        found = find_namespace_packages(directory, exclude=["*__pycache__*"])
        names += [f"{name}.{sub}" for sub in found]
    return names


setup(packages=packages(), package_dir=dict(PACKAGES))

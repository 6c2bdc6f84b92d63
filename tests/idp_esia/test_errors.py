"""ESIA error classes render `ESIA-0070xx: text` ASCII descriptions."""

from gosuslugi_sandbox.idp.esia import errors


def test_every_error_has_code_and_ascii_description():
    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.EsiaError)
    ]
    assert len(classes) >= 15
    for cls in classes:
        desc = cls().description
        assert desc.startswith(cls.code + ": ")
        assert cls.code.startswith("ESIA-0070")
        desc.encode("ascii")
        assert cls.__doc__


def test_detail_is_named_and_made_ascii():
    err = errors.MissingParameter("client_secret")
    assert err.description == (
        "ESIA-007014: The request doesn't contain the mandatory parameter [client_secret]"
    )
    assert errors.InvalidScope("профиль").description.isascii()
    assert errors.InvalidGrant().as_dict("s1") == {
        "error": "invalid_grant",
        "error_description": errors.InvalidGrant().description,
        "state": "s1",
    }
    assert errors.AccessDenied().error == "access_denied"

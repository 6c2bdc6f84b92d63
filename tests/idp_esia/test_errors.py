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
    assert dict(errors.InvalidGrant(state="s1").get_body()) == {
        "error": "invalid_grant",
        "error_description": errors.InvalidGrant().description,
        "state": "s1",
    }
    assert dict(errors.InvalidGrant(state="").get_body())["state"] == ""  # echoed even empty
    assert "state" not in dict(errors.InvalidGrant().get_body())
    quoted = errors.UnsupportedGrantType('pass"word\\')  # Authlib alone would refuse this
    assert quoted.description.endswith('[pass"word\\]')
    assert errors.ServerError().status_code == 500 and errors.InvalidGrant().status_code == 400
    assert errors.AccessDenied().error == "access_denied"

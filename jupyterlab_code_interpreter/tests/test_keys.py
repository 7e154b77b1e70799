"""Key sources and the user's key store: file modes, no echo, each source resolved."""

import stat

import pytest

from jupyterlab_code_interpreter.gateway.keys import KeyMissing, KeyResolver, KeyStore
from jupyterlab_code_interpreter.gateway.pool import resolve_pool


def endpoint(**fields):
    base = {"name": "e", "kind": "azure", "base_url": "https://r.example", "deployment": "d"}
    (found,) = resolve_pool([{**base, **fields}], None, None, None, {}).endpoints
    return found


def test_store_files_are_private_and_listed_by_name(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.put("team", "  sk-team-123456  ")
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "keys" / "team").stat().st_mode) == 0o600
    assert store.get("team") == "sk-team-123456"
    assert store.names() == ["team"]
    assert store.delete("team") and not store.delete("team")
    assert store.names() == []


@pytest.mark.parametrize("name", ["../etc", "a/b", "", ".hidden"])
def test_store_refuses_names_that_are_paths(tmp_path, name):
    with pytest.raises(ValueError):
        KeyStore(tmp_path).put(name, "k")


def test_store_refuses_multiline_keys(tmp_path):
    with pytest.raises(ValueError) as caught:
        KeyStore(tmp_path).put("k", "line1\nline2")
    assert "line1" not in str(caught.value)


async def test_each_source(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.put("stored", "from-store")
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    keys = KeyResolver({"MY_KEY": "from-env"}, store)
    assert (await keys.credential(endpoint(api_key_env="MY_KEY"))).value == "from-env"
    assert (await keys.credential(endpoint(api_key_file=str(secret)))).value == "from-file"
    credential = await keys.credential(endpoint(api_key_name="stored"))
    assert (credential.value, credential.bearer) == ("from-store", False)
    secret.write_text("rotated-key")
    assert keys.peek(endpoint(api_key_file=str(secret))) == "rotated-key"


async def test_missing_keys_name_the_source_only(tmp_path):
    keys = KeyResolver({}, KeyStore(tmp_path))
    azure = endpoint(api_key_env="UNSET_KEY")
    assert "UNSET_KEY" in keys.missing(azure)
    with pytest.raises(KeyMissing):
        await keys.credential(endpoint(api_key_name="nope"))
    local = resolve_pool([{"name": "l", "base_url": "http://localhost:1/v1"}], None, None, None, {})
    assert keys.missing(local.endpoints[0]) is None  # an OpenAI-compatible server without a key


async def test_entra_id_without_azure_identity_says_what_to_install(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_azure(name, *args, **kwargs):
        if name.startswith("azure"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_azure)
    keys = KeyResolver({}, KeyStore(tmp_path))
    with pytest.raises(KeyMissing) as caught:
        await keys.credential(endpoint(entra_id=True, api_key_env=""))
    assert "azure-identity" in str(caught.value)


async def test_a_setting_endpoint_naming_no_key_is_called_without_one(tmp_path):
    keys = KeyResolver(
        {"OPENAI_API_KEY": "sk-server", "AZURE_OPENAI_API_KEY": "az"}, KeyStore(tmp_path)
    )
    setting = {"name": "s", "baseUrl": "https://elsewhere.example"}
    for extra in ({}, {"kind": "azure", "deployment": "d"}):
        (found,) = resolve_pool(None, None, [{**setting, **extra}], None, {}).endpoints
        assert keys.missing(found) is None  # not "missing": there is none to send
        credential = await keys.credential(found)
        assert credential.value is None
        assert keys.source_of(found) == "no key (the endpoint names none)"
        assert keys.peek(found) is None


@pytest.mark.parametrize("content", ["line1\nline2", "A=1\0OPENAI_API_KEY=sk-x\0", "k\tk"])
async def test_a_file_that_is_not_one_printable_line_is_never_sent(tmp_path, content):
    secret = tmp_path / "not-a-key"
    secret.write_text(content)
    keys = KeyResolver({}, KeyStore(tmp_path / "keys"))
    found = endpoint(api_key_file=str(secret))
    assert keys.peek(found) is None
    assert "the key file" in keys.missing(found)
    with pytest.raises(KeyMissing):
        await keys.credential(found)

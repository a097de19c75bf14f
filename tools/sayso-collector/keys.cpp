#include "keys.hpp"

#include "formats/base64.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace sayso::collector {

using formats::from_base64;
using formats::to_base64;
using nlohmann::json;

namespace {
KeysProblem problem(KeysProblem::Kind kind, std::string why) {
    return {.kind = kind, .why = std::move(why)};
}
KeysProblem no_crypto() {
    return problem(KeysProblem::Kind::NoCrypto, "libsodium could not start");
}
} // namespace

KeysResult<std::vector<SealKeyPair>> read_keys(const std::string& text) {
    using K = KeysProblem::Kind;
    std::vector<SealKeyPair> keys;
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return problem(K::Damaged, "is not a keys file (a JSON list of keys)");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const json& k = j[i];
        const std::string which = "key " + std::to_string(i + 1);
        if (!k.is_object() || !k.value("id", json()).is_string() || !k.value("public_key", json()).is_string() ||
            !k.value("secret_key", json()).is_string())
            return problem(K::Damaged, "is not a keys file: " + which + " is not {id, public_key, secret_key}");
        SealKeyPair pair{k["id"], k["public_key"], k["secret_key"]};
        if (pair.id.empty() || pair.id.size() > 64)
            return problem(K::Damaged, "has a key id that is empty or longer than 64 characters");
        if (!ids.insert(pair.id).second) return problem(K::Damaged, "holds the key id \"" + pair.id + "\" twice");
        // A pair that does not match would take answers it can never open.
        std::vector<unsigned char> pk, sk;
        unsigned char derived[crypto_box_PUBLICKEYBYTES];
        if (!from_base64(pair.public_key, pk, crypto_box_PUBLICKEYBYTES) ||
            !from_base64(pair.secret_key, sk, crypto_box_SECRETKEYBYTES) ||
            crypto_scalarmult_base(derived, sk.data()) != 0 || sodium_memcmp(derived, pk.data(), sizeof derived) != 0) {
            if (!sk.empty()) sodium_memzero(sk.data(), sk.size());
            return problem(K::Damaged,
                           "has a damaged key \"" + pair.id + "\" (its public and secret keys do not belong together)");
        }
        sodium_memzero(sk.data(), sk.size());
        keys.push_back(std::move(pair));
    }
    return keys;
}

KeysResult<std::vector<SealKeyPair>> load_keys(const std::filesystem::path& file) {
    if (sodium_init() < 0) return no_crypto();
    std::ifstream in(file, std::ios::binary);
    if (!in) return problem(KeysProblem::Kind::CantRead, "can't read the keys file " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    std::string held = text.str();
    auto keys = read_keys(held);
    sodium_memzero(held.data(), held.size());
    if (!keys) return problem(keys.problem().kind, file.string() + " " + keys.words());
    return keys;
}

namespace {

// Written beside, then renamed over: the file is never half written, and it
// is readable by its owner alone.
KeysResult<void> save_keys(const std::filesystem::path& file, const std::vector<SealKeyPair>& keys) {
    json j = json::array();
    for (const auto& k : keys)
        j.push_back({{"id", k.id}, {"public_key", k.public_key}, {"secret_key", k.secret_key}});
    const std::string tmp = file.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string text = j.dump(2) + "\n";
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return problem(KeysProblem::Kind::CantWrite, "can't write " + tmp);
    }
    ::close(fd);
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) return problem(KeysProblem::Kind::CantWrite, "can't write " + file.string() + ": " + ec.message());
    return {};
}

} // namespace

KeysResult<SealKeyPair> new_key(const std::filesystem::path& file, const std::string& id) {
    if (sodium_init() < 0) return no_crypto();
    if (id.empty() || id.size() > 64 || id.find_first_of(" \t\r\n\"") != std::string::npos)
        return problem(KeysProblem::Kind::Refused, "a key id is 1 to 64 characters without spaces");
    std::vector<SealKeyPair> keys;
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        auto held = load_keys(file);
        if (!held) return held.problem();
        keys = std::move(*held);
    }
    for (const auto& k : keys)
        if (k.id == id) return problem(KeysProblem::Kind::Refused, "the keys file already holds a key \"" + id + "\"");
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    SealKeyPair made{id, to_base64(pk, sizeof pk), to_base64(sk, sizeof sk)};
    sodium_memzero(sk, sizeof sk);
    keys.push_back(made);
    if (auto saved = save_keys(file, keys); !saved) return saved.problem();
    return made;
}

namespace {

constexpr const char* kBackupFormat = "sayso-collector keys backup";

KeysResult<void> derive(const std::string& passphrase, const unsigned char* salt, unsigned long long ops,
                        std::size_t mem, unsigned char* key) {
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return problem(KeysProblem::Kind::NoCrypto,
                       "not enough memory to work the passphrase (" + std::to_string(mem >> 20) + " MiB)");
    return {};
}

} // namespace

KeysResult<void> backup_keys(const std::filesystem::path& keys_file, const std::filesystem::path& out,
                             const std::string& passphrase) {
    using K = KeysProblem::Kind;
    if (sodium_init() < 0) return no_crypto();
    if (passphrase.size() < kMinPassphrase)
        return problem(K::Refused, "the passphrase must be at least " + std::to_string(kMinPassphrase) + " characters");
    auto loaded = load_keys(keys_file);
    if (!loaded) return loaded.problem();
    const std::vector<SealKeyPair>& keys = *loaded;
    if (keys.empty()) return problem(K::Refused, keys_file.string() + " holds no keys");
    std::error_code ec;
    if (std::filesystem::exists(out, ec))
        return problem(K::Refused, out.string() + " already exists; a backup never overwrites");
    json plain = json::array();
    json ids = json::array();
    for (const auto& k : keys) {
        plain.push_back({{"id", k.id}, {"public_key", k.public_key}, {"secret_key", k.secret_key}});
        ids.push_back(k.id);
    }
    std::string text = plain.dump();
    unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES], key[crypto_secretbox_KEYBYTES];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    const unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
    const std::size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
    if (auto derived = derive(passphrase, salt, ops, mem, key); !derived) return derived;
    std::vector<unsigned char> box(text.size() + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(box.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size(), nonce, key);
    sodium_memzero(key, sizeof key);
    sodium_memzero(text.data(), text.size());
    const json j = {{"format", kBackupFormat},
                    {"version", 1},
                    {"key_ids", ids},
                    {"kdf", "argon2id13"},
                    {"opslimit", ops},
                    {"memlimit", mem},
                    {"salt", to_base64(salt, sizeof salt)},
                    {"nonce", to_base64(nonce, sizeof nonce)},
                    {"box", to_base64(box.data(), box.size())}};
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    const std::string written = j.dump(2) + "\n";
    if (fd < 0 || ::write(fd, written.data(), written.size()) != static_cast<ssize_t>(written.size()) ||
        ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        std::filesystem::remove(out, ec);
        return problem(K::CantWrite, "can't write " + out.string());
    }
    ::close(fd);
    return {};
}

KeysResult<KeysBackup> read_backup(const std::string& text) {
    KeysBackup out;
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("format") || j["format"] != kBackupFormat)
        return problem(KeysProblem::Kind::Damaged, "is not a keys backup");
    if (!j.contains("version") || j["version"] != 1 || !j.contains("kdf") || j["kdf"] != "argon2id13")
        return problem(KeysProblem::Kind::Refused, "was made by a newer sayso-collector");
    const auto number = [&](const char* k, unsigned long long& v) {
        auto it = j.find(k);
        if (it == j.end() || !it->is_number_unsigned()) return false;
        v = it->get<unsigned long long>();
        return true;
    };
    const auto text_of = [&](const char* k) {
        auto it = j.find(k);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    unsigned long long mem = 0;
    if (!number("opslimit", out.opslimit) || !number("memlimit", mem) ||
        !from_base64(text_of("salt"), out.salt, crypto_pwhash_SALTBYTES) ||
        !from_base64(text_of("nonce"), out.nonce, crypto_secretbox_NONCEBYTES) ||
        !from_base64(text_of("box"), out.box) || out.box.size() < crypto_secretbox_MACBYTES ||
        out.opslimit < crypto_pwhash_OPSLIMIT_MIN || out.opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return problem(KeysProblem::Kind::Damaged, "is damaged");
    out.memlimit = static_cast<std::size_t>(mem);
    return out;
}

KeysResult<std::vector<SealKeyPair>> open_backup(const KeysBackup& b, const std::string& passphrase,
                                                 const std::string& name) {
    if (sodium_init() < 0) return no_crypto();
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (auto derived = derive(passphrase, b.salt.data(), b.opslimit, b.memlimit, key); !derived)
        return derived.problem();
    std::string plain(b.box.size() - crypto_secretbox_MACBYTES, '\0');
    const int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), b.box.data(),
                                              b.box.size(), b.nonce.data(), key);
    sodium_memzero(key, sizeof key);
    if (rc != 0)
        return problem(KeysProblem::Kind::WrongPassphrase,
                       "the passphrase is wrong, or " + name + " is damaged; nothing was changed");
    auto keys = read_keys(plain);
    sodium_memzero(plain.data(), plain.size());
    if (!keys) return problem(KeysProblem::Kind::Damaged, name + " is damaged: it " + keys.words());
    return keys;
}

KeysResult<std::vector<std::string>> restore_keys(const std::filesystem::path& backup,
                                                  const std::filesystem::path& keys_file,
                                                  const std::string& passphrase) {
    std::vector<std::string> restored;
    if (sodium_init() < 0) return no_crypto();
    std::ifstream in(backup, std::ios::binary);
    if (!in) return problem(KeysProblem::Kind::CantRead, "can't read " + backup.string());
    std::ostringstream text;
    text << in.rdbuf();
    const auto b = read_backup(text.str());
    if (!b) return problem(b.problem().kind, backup.string() + " " + b.words());
    const auto from = open_backup(*b, passphrase, backup.string());
    if (!from) return from.problem();
    std::vector<SealKeyPair> held;
    std::error_code ec;
    if (std::filesystem::exists(keys_file, ec)) {
        auto loaded = load_keys(keys_file);
        if (!loaded) return loaded.problem();
        held = std::move(*loaded);
    }
    for (const auto& k : *from) {
        auto same = std::find_if(held.begin(), held.end(), [&](const SealKeyPair& h) { return h.id == k.id; });
        if (same == held.end()) {
            held.push_back(k);
            restored.push_back(k.id);
        } else if (same->secret_key != k.secret_key) {
            return problem(KeysProblem::Kind::Refused, keys_file.string() + " holds a different key with the id \"" +
                                                           k.id + "\"; nothing was changed");
        }
    }
    if (restored.empty()) return restored;
    if (auto saved = save_keys(keys_file, held); !saved) return saved.problem();
    return restored;
}

KeysResult<void> open_sealed(const std::vector<SealKeyPair>& keys, Answer& a) {
    using K = KeysProblem::Kind;
    if (a.sealed.empty()) return {};
    if (sodium_init() < 0) return no_crypto();
    const SealKeyPair* key = nullptr;
    for (const auto& k : keys)
        if (k.id == a.seal_key) key = &k;
    if (!key)
        return problem(K::UnknownKey,
                       "an answer is sealed to key \"" + a.seal_key + "\", which the keys file does not hold");
    std::vector<unsigned char> box, pk, sk;
    if (!from_base64(a.sealed, box) || box.size() < crypto_box_SEALBYTES ||
        !from_base64(key->public_key, pk, crypto_box_PUBLICKEYBYTES) ||
        !from_base64(key->secret_key, sk, crypto_box_SECRETKEYBYTES))
        return problem(K::Damaged, "an answer sealed to key \"" + a.seal_key + "\" is damaged");
    std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
    int rc = crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), box.data(), box.size(), pk.data(),
                                  sk.data());
    // Its drawing or recording is sealed on its own, to the same key.
    std::vector<unsigned char> clip_box, clip;
    bool clip_ok = true;
    if (rc == 0 && !a.clip.empty()) {
        clip_ok = from_base64(a.clip, clip_box) && clip_box.size() >= crypto_box_SEALBYTES;
        if (clip_ok) {
            clip.resize(clip_box.size() - crypto_box_SEALBYTES);
            clip_ok = crypto_box_seal_open(clip.data(), clip_box.data(), clip_box.size(), pk.data(), sk.data()) == 0;
        }
    }
    sodium_memzero(sk.data(), sk.size());
    if (rc != 0) return problem(K::Damaged, "an answer sealed to key \"" + a.seal_key + "\" does not open with it");
    if (!clip_ok)
        return problem(K::Damaged, "the drawing or recording of an answer sealed to key \"" + a.seal_key +
                                       "\" does not open with it");
    if (!a.clip.empty()) a.clip = formats::to_base64(clip.data(), clip.size());
    try {
        json j = json::parse(plain);
        a.skipped = j.at("skipped").get<bool>();
        a.options = j.at("options").get<std::vector<std::string>>();
        a.text = j.at("text").get<std::string>();
    } catch (const std::exception&) {
        return problem(K::Damaged, "an answer sealed to key \"" + a.seal_key + "\" opened to something unreadable");
    }
    return {};
}

} // namespace sayso::collector

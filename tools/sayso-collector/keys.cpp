#include "keys.hpp"

#include "formats/base64.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sayso::collector {

using formats::from_base64;
using formats::to_base64;
using nlohmann::json;


std::optional<std::string> load_keys(const std::filesystem::path& file, std::vector<SealKeyPair>& keys) {
    keys.clear();
    std::ifstream in(file);
    if (!in) return "can't read the keys file " + file.string();
    json j;
    try {
        j = json::parse(in);
    } catch (const std::exception&) {
        return file.string() + " is not a keys file";
    }
    if (!j.is_array()) return file.string() + " is not a keys file";
    for (const auto& k : j) {
        if (!k.is_object() || !k.value("id", json()).is_string() || !k.value("public_key", json()).is_string() ||
            !k.value("secret_key", json()).is_string())
            return file.string() + " is not a keys file";
        keys.push_back({k["id"], k["public_key"], k["secret_key"]});
    }
    return std::nullopt;
}

namespace {

// Written beside, then renamed over: the file is never half written, and it
// is readable by its owner alone.
std::optional<std::string> save_keys(const std::filesystem::path& file, const std::vector<SealKeyPair>& keys) {
    json j = json::array();
    for (const auto& k : keys) j.push_back({{"id", k.id}, {"public_key", k.public_key}, {"secret_key", k.secret_key}});
    const std::string tmp = file.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string text = j.dump(2) + "\n";
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return "can't write " + tmp;
    }
    ::close(fd);
    std::error_code ec;
    std::filesystem::rename(tmp, file, ec);
    if (ec) return "can't write " + file.string() + ": " + ec.message();
    return std::nullopt;
}

} // namespace

std::optional<std::string> new_key(const std::filesystem::path& file, const std::string& id, SealKeyPair& made) {
    if (sodium_init() < 0) return "libsodium could not start";
    if (id.empty() || id.size() > 64 || id.find_first_of(" \t\r\n\"") != std::string::npos)
        return "a key id is 1 to 64 characters without spaces";
    std::vector<SealKeyPair> keys;
    std::error_code ec;
    if (std::filesystem::exists(file, ec))
        if (auto e = load_keys(file, keys)) return e;
    for (const auto& k : keys)
        if (k.id == id) return "the keys file already holds a key \"" + id + "\"";
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    made = {id, to_base64(pk, sizeof pk), to_base64(sk, sizeof sk)};
    sodium_memzero(sk, sizeof sk);
    keys.push_back(made);
    return save_keys(file, keys);
}

namespace {

constexpr const char* kBackupFormat = "sayso-collector keys backup";

std::optional<std::string> derive(const std::string& passphrase, const unsigned char* salt, unsigned long long ops,
                                  std::size_t mem, unsigned char* key) {
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return "not enough memory to work the passphrase (" + std::to_string(mem >> 20) + " MiB)";
    return std::nullopt;
}

} // namespace

std::optional<std::string> backup_keys(const std::filesystem::path& keys_file, const std::filesystem::path& out,
                                       const std::string& passphrase) {
    if (sodium_init() < 0) return "libsodium could not start";
    if (passphrase.size() < kMinPassphrase)
        return "the passphrase must be at least " + std::to_string(kMinPassphrase) + " characters";
    std::vector<SealKeyPair> keys;
    if (auto e = load_keys(keys_file, keys)) return e;
    if (keys.empty()) return keys_file.string() + " holds no keys";
    std::error_code ec;
    if (std::filesystem::exists(out, ec)) return out.string() + " already exists; a backup never overwrites";
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
    if (auto e = derive(passphrase, salt, ops, mem, key)) return e;
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
        return "can't write " + out.string();
    }
    ::close(fd);
    return std::nullopt;
}

std::optional<std::string> restore_keys(const std::filesystem::path& backup, const std::filesystem::path& keys_file,
                                        const std::string& passphrase, std::vector<std::string>& restored) {
    restored.clear();
    if (sodium_init() < 0) return "libsodium could not start";
    std::ifstream in(backup);
    if (!in) return "can't read " + backup.string();
    json j;
    try {
        j = json::parse(in);
    } catch (const std::exception&) {
        return backup.string() + " is not a keys backup";
    }
    if (!j.is_object() || j.value("format", "") != kBackupFormat) return backup.string() + " is not a keys backup";
    if (j.value("version", 0) != 1 || j.value("kdf", "") != "argon2id13")
        return backup.string() + " was made by a newer sayso-collector";
    std::vector<unsigned char> salt, nonce, box;
    unsigned long long ops = 0;
    std::size_t mem = 0;
    try {
        ops = j.at("opslimit").get<unsigned long long>();
        mem = j.at("memlimit").get<std::size_t>();
    } catch (const std::exception&) {
        return backup.string() + " is damaged";
    }
    if (!from_base64(j.value("salt", ""), salt, crypto_pwhash_SALTBYTES) ||
        !from_base64(j.value("nonce", ""), nonce, crypto_secretbox_NONCEBYTES) ||
        !from_base64(j.value("box", ""), box) || box.size() < crypto_secretbox_MACBYTES ||
        ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return backup.string() + " is damaged";
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (auto e = derive(passphrase, salt.data(), ops, mem, key)) return e;
    std::string plain(box.size() - crypto_secretbox_MACBYTES, '\0');
    const int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), box.data(), box.size(),
                                              nonce.data(), key);
    sodium_memzero(key, sizeof key);
    if (rc != 0) return "the passphrase is wrong, or " + backup.string() + " is damaged; nothing was changed";
    std::vector<SealKeyPair> from;
    json keys = json::parse(plain, nullptr, false);
    sodium_memzero(plain.data(), plain.size());
    if (!keys.is_array()) return backup.string() + " is damaged";
    for (const auto& k : keys) {
        if (!k.is_object() || !k.value("id", json()).is_string() || !k.value("public_key", json()).is_string() ||
            !k.value("secret_key", json()).is_string())
            return backup.string() + " is damaged";
        from.push_back({k["id"], k["public_key"], k["secret_key"]});
    }
    std::vector<SealKeyPair> held;
    std::error_code ec;
    if (std::filesystem::exists(keys_file, ec))
        if (auto e = load_keys(keys_file, held)) return e;
    for (const auto& k : from) {
        auto same = std::find_if(held.begin(), held.end(), [&](const SealKeyPair& h) { return h.id == k.id; });
        if (same == held.end()) {
            held.push_back(k);
            restored.push_back(k.id);
        } else if (same->secret_key != k.secret_key) {
            return keys_file.string() + " holds a different key with the id \"" + k.id + "\"; nothing was changed";
        }
    }
    if (restored.empty()) return std::nullopt;
    return save_keys(keys_file, held);
}

std::optional<std::string> open_sealed(const std::vector<SealKeyPair>& keys, Answer& a) {
    if (a.sealed.empty()) return std::nullopt;
    if (sodium_init() < 0) return "libsodium could not start";
    const SealKeyPair* key = nullptr;
    for (const auto& k : keys)
        if (k.id == a.seal_key) key = &k;
    if (!key) return "an answer is sealed to key \"" + a.seal_key + "\", which the keys file does not hold";
    std::vector<unsigned char> box, pk, sk;
    if (!from_base64(a.sealed, box) || box.size() < crypto_box_SEALBYTES ||
        !from_base64(key->public_key, pk, crypto_box_PUBLICKEYBYTES) ||
        !from_base64(key->secret_key, sk, crypto_box_SECRETKEYBYTES))
        return "an answer sealed to key \"" + a.seal_key + "\" is damaged";
    std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
    const int rc = crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()), box.data(), box.size(),
                                        pk.data(), sk.data());
    sodium_memzero(sk.data(), sk.size());
    if (rc != 0) return "an answer sealed to key \"" + a.seal_key + "\" does not open with it";
    try {
        json j = json::parse(plain);
        a.skipped = j.at("skipped").get<bool>();
        a.options = j.at("options").get<std::vector<std::string>>();
        a.text = j.at("text").get<std::string>();
    } catch (const std::exception&) {
        return "an answer sealed to key \"" + a.seal_key + "\" opened to something unreadable";
    }
    return std::nullopt;
}

} // namespace sayso::collector

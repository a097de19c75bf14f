#include "keys.hpp"

#include "formats/base64.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <unistd.h>

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
    json j = json::array();
    for (const auto& k : keys) j.push_back({{"id", k.id}, {"public_key", k.public_key}, {"secret_key", k.secret_key}});
    // Written beside, then renamed over: the file is never half written.
    const std::string tmp = file.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string text = j.dump(2) + "\n";
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return "can't write " + tmp;
    }
    ::close(fd);
    std::filesystem::rename(tmp, file, ec);
    if (ec) return "can't write " + file.string() + ": " + ec.message();
    return std::nullopt;
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

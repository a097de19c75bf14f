#include "publish.hpp"

#include "formats/base64.hpp"

#include <sodium.h>

#include <ctime>
#include <map>

namespace sayso::collector {

Stored<PublishKey> publish_key(Store& store) {
    if (sodium_init() < 0) return StoreError{"libsodium could not start"};
    auto read = [&]() -> Stored<std::optional<PublishKey>> {
        auto rows = store.query("SELECT public_key, secret_key FROM publish_key WHERE id = 1", {});
        if (!rows) return rows.problem();
        if (rows->empty()) return std::optional<PublishKey>();
        PublishKey k{.public_key = (*rows)[0][0], .secret = {}};
        std::vector<unsigned char> pub;
        if (!formats::from_base64(k.public_key, pub, crypto_sign_PUBLICKEYBYTES) ||
            !formats::from_base64((*rows)[0][1], k.secret, crypto_sign_SECRETKEYBYTES) ||
            sodium_memcmp(k.secret.data() + crypto_sign_SEEDBYTES, pub.data(), crypto_sign_PUBLICKEYBYTES) != 0)
            return StoreError{"the store's publishing key is damaged (table publish_key)"};
        return std::optional<PublishKey>(std::move(k));
    };
    auto held = read();
    if (!held) return held.problem();
    if (*held) return std::move(**held);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    auto made = store.query("INSERT INTO publish_key (id, public_key, secret_key) VALUES (1, ?, ?)"
                            " ON CONFLICT (id) DO NOTHING",
                            {formats::to_base64(pk, sizeof pk), formats::to_base64(sk, sizeof sk)});
    sodium_memzero(sk, sizeof sk);
    if (!made) return made.problem();
    // Another collector may have made one first: the one kept is the one used.
    held = read();
    if (!held) return held.problem();
    if (!*held) return StoreError{"the publishing key could not be kept"};
    return std::move(**held);
}

Stored<protocol::WeDidList> we_did_for(Store& store, const std::string& device_name, const std::string& device_id) {
    protocol::WeDidList list;
    list.device_id = device_id;
    auto area = store.query("SELECT service_area FROM device_services WHERE name = ?", {device_name});
    if (!area) return area.problem();
    if (!area->empty()) list.service_area = (*area)[0][0];
    auto rows = store.query("SELECT seq, language, measure, you_said, we_did, created_at FROM we_did"
                            " WHERE (service_area = '' OR service_area = ?) AND language <> ''"
                            " ORDER BY seq DESC LIMIT 500",
                            {list.service_area});
    if (!rows) return rows.problem();
    std::map<std::string, std::size_t> per_language;
    for (const auto& r : *rows) {
        if (list.entries.size() >= protocol::kMaxWeDidEntries) break;
        if (per_language[r[1]]++ >= protocol::kMaxWeDidPerLanguage) continue;
        list.entries.push_back({.id = std::stoll(r[0]),
                                .language = r[1],
                                .measure = r[2],
                                .you_said = r[3],
                                .we_did = r[4],
                                .published_at = r[5].substr(0, 10)});
    }
    char at[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    list.issued_at = at;
    return list;
}

} // namespace sayso::collector

#include "config.hpp"
#include "tasks/frame_guard.hpp"

#include "formats/base64.hpp"

#include <curl/curl.h>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sayso::sync {

namespace {

bool loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// Success when the endpoint is https, or plain http to this machine.
SettingsResult<void> check_endpoint(const std::string& url, const std::string& name) {
    auto refused = [&](const std::string& why) {
        return SettingsProblem{
            .kind = SettingsProblem::Kind::BadValue, .source = name, .setting = "endpoint", .why = why};
    };
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return refused("is not a URL");
    char* scheme = nullptr;
    char* host = nullptr;
    curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u.get(), CURLUPART_HOST, &host, 0);
    const std::string s = scheme ? scheme : "", h = host ? host : "";
    curl_free(scheme);
    curl_free(host);
    if (s == "https" || (s == "http" && loopback(h))) return {};
    if (s == "http") return refused("plain http is only allowed to this machine (127.0.0.1); use https");
    return refused("must start with https://");
}

} // namespace

std::string describe(const SettingsProblem& p) {
    switch (p.kind) {
    case SettingsProblem::Kind::NoFile:
    case SettingsProblem::Kind::NotAFile: return p.source + ": no delivery settings file there";
    case SettingsProblem::Kind::TooLarge: return p.source + ": too large for a settings file";
    case SettingsProblem::Kind::NotAnObject:
        return p.source + ": not a JSON object like {\"endpoint\": \"https://...\", \"token\": \"...\"}";
    case SettingsProblem::Kind::UnknownSetting:
    case SettingsProblem::Kind::BadValue: return p.source + ": \"" + p.setting + "\" " + p.why;
    case SettingsProblem::Kind::CantWrite: return p.why;
    }
    return p.source + ": " + p.why;
}

SettingsResult<Config> parse_config(const std::string& text, const std::string& name) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return SettingsProblem{.kind = SettingsProblem::Kind::NotAnObject, .source = name};
    Config c;
    auto fail = [&](const std::string& key, const std::string& why,
                    SettingsProblem::Kind kind = SettingsProblem::Kind::BadValue) {
        return SettingsProblem{.kind = kind, .source = name, .setting = key, .why = why};
    };
    static const char* known[] = {"endpoint",
                                  "token",
                                  "ca_file",
                                  "interval_seconds",
                                  "batch_size",
                                  "connect_timeout_seconds",
                                  "timeout_seconds",
                                  "low_speed_seconds",
                                  "retry_start_seconds",
                                  "retry_cap_seconds",
                                  "keep_delivered_days",
                                  "seal_keys",
                                  "publish_key"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find(std::begin(known), std::end(known), it.key()) == std::end(known))
            return fail(it.key(), "is not a setting Sayso knows", SettingsProblem::Kind::UnknownSetting);
    auto str = [&](const char* key, std::string& out, bool required) -> bool {
        auto it = j.find(key);
        if (it == j.end()) return !required;
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) return false;
        out = it->get<std::string>();
        return true;
    };
    auto num = [&](const char* key, double& out, double lo, double hi) -> bool {
        auto it = j.find(key);
        if (it == j.end()) return true;
        if (!it->is_number() || it->get<double>() < lo || it->get<double>() > hi) return false;
        out = it->get<double>();
        return true;
    };
    if (!str("endpoint", c.endpoint, true))
        return fail("endpoint", "must be the collector's URL, like \"https://voice.example.org/sayso\"");
    if (auto usable = check_endpoint(c.endpoint, name); !usable) return usable.problem();
    while (!c.endpoint.empty() && c.endpoint.back() == '/')
        c.endpoint.pop_back();
    // No token: the tablet is not enrolled yet (the admin screen enrols it).
    if (!str("token", c.token, false))
        return fail("token", "must be this tablet's device token (sayso-collector token add NAME)");
    if (c.token.size() > 512 || c.token.find_first_of(" \r\n\t") != std::string::npos)
        return fail("token", "must be one word without spaces");
    if (!str("ca_file", c.ca_file, false)) return fail("ca_file", "must be the path of a PEM file");
    if (!c.ca_file.empty() && !std::ifstream(c.ca_file)) return fail("ca_file", "can't be read: " + c.ca_file);
    double batch = c.batch_size, low = c.low_speed_seconds;
    if (!num("interval_seconds", c.interval_seconds, 0.01, 86400))
        return fail("interval_seconds", "must be a number of seconds from 0.01 to 86400");
    if (!num("batch_size", batch, 1, 500) || batch != static_cast<int>(batch))
        return fail("batch_size", "must be a whole number from 1 to 500");
    if (!num("connect_timeout_seconds", c.connect_timeout_seconds, 0.01, 600))
        return fail("connect_timeout_seconds", "must be a number of seconds from 0.01 to 600");
    if (!num("timeout_seconds", c.timeout_seconds, 0.01, 3600))
        return fail("timeout_seconds", "must be a number of seconds from 0.01 to 3600");
    if (!num("low_speed_seconds", low, 1, 3600) || low != static_cast<int>(low))
        return fail("low_speed_seconds", "must be a whole number of seconds from 1 to 3600");
    if (!num("retry_start_seconds", c.retry_start_seconds, 0.01, 3600))
        return fail("retry_start_seconds", "must be a number of seconds from 0.01 to 3600");
    if (!num("retry_cap_seconds", c.retry_cap_seconds, c.retry_start_seconds, 86400))
        return fail("retry_cap_seconds", "must be a number of seconds, at least retry_start_seconds");
    if (!num("keep_delivered_days", c.keep_delivered_days, 0, 3650))
        return fail("keep_delivered_days", "must be a number of days from 0 (delete at once) to 3650");
    if (auto it = j.find("seal_keys"); it != j.end()) {
        const char* why = "must be a list of {\"id\", \"public_key\"} from: sayso-collector keys new";
        if (!it->is_array() || it->size() > 32) return fail("seal_keys", why);
        for (const auto& k : *it) {
            if (!k.is_object() || !k.contains("id") || !k["id"].is_string() || !k.contains("public_key") ||
                !k["public_key"].is_string())
                return fail("seal_keys", why);
            const std::string id = k["id"].get<std::string>(), pk = k["public_key"].get<std::string>();
            if (id.empty() || id.size() > 64 || id.find_first_of(" \t\r\n") != std::string::npos)
                return fail("seal_keys", "has a key id that is empty, too long or has spaces");
            std::vector<unsigned char> raw;
            if (sodium_init() < 0 || !formats::from_base64(pk, raw, crypto_box_PUBLICKEYBYTES))
                return fail("seal_keys", "has a public key that is not 32 bytes in base64");
            c.seal_keys.push_back({id, pk});
        }
    }
    if (auto it = j.find("publish_key"); it != j.end()) {
        std::vector<unsigned char> raw;
        if (!it->is_string() || sodium_init() < 0 ||
            !formats::from_base64(it->get<std::string>(), raw, crypto_sign_PUBLICKEYBYTES))
            return fail("publish_key",
                        "must be the collector's publishing key, 32 bytes in base64 (sayso-collector publish-key)");
        c.publish_key = it->get<std::string>();
    }
    c.batch_size = static_cast<int>(batch);
    c.low_speed_seconds = static_cast<int>(low);
    return c;
}

SettingsResult<Config> load_config(const std::filesystem::path& file) {
    tasks::blocking("reading the delivery settings file");
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        return SettingsProblem{.kind = SettingsProblem::Kind::NoFile, .source = file.string()};
    if (!std::filesystem::is_regular_file(file, ec))
        return SettingsProblem{.kind = SettingsProblem::Kind::NotAFile, .source = file.string()};
    if (std::filesystem::file_size(file, ec) > 64 * 1024)
        return SettingsProblem{.kind = SettingsProblem::Kind::TooLarge, .source = file.string()};
    std::ifstream in(file);
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), file.string());
}

} // namespace sayso::sync

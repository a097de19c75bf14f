// Delivery settings, read from a JSON file (format in sync/README.md).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::sync {

struct Config {
    std::string endpoint;         // base URL; requests go to <endpoint>/v1/responses
    std::string token;            // this tablet's device token
    std::string ca_file;          // extra CA certificates (PEM); empty: the system's
    double interval_seconds = 60; // look for new answers this often when all is delivered
    int batch_size = 500;         // responses per request
    double connect_timeout_seconds = 10;
    double timeout_seconds = 60; // whole request
    int low_speed_seconds = 20;  // abandon a request moving under 100 bytes/s this long
    double retry_start_seconds = 5;
    double retry_cap_seconds = 900;
    double keep_delivered_days = 0;
    // The collector's public keys answers are sealed to, oldest first; new
    // answers use the last. Empty: answers are stored unsealed (development).
    struct SealKey {
        std::string id;
        std::string public_key; // base64, 32 bytes
    };
    std::vector<SealKey>
        seal_keys; // a response acknowledged by the endpoint is deleted from the tablet after this (0: at once)
};

// Reads and checks a config file. On a problem returns nullopt and `error`
// names the setting, e.g. "sync.json: \"endpoint\": plain http is only allowed to this machine".
std::optional<Config> load_config(const std::filesystem::path& file, std::string& error);
std::optional<Config> parse_config(const std::string& text, const std::string& name, std::string& error);

} // namespace sayso::sync

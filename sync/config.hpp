// Delivery settings, read from a JSON file (format in sync/README.md).
#pragma once

#include "result/result.hpp"

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
    // A response acknowledged by the endpoint is deleted from the tablet after this (0: at once).
    double keep_delivered_days = 0;
    // The collector's public keys answers are sealed to, oldest first; new
    // answers use the last. Empty: answers are stored unsealed (development).
    struct SealKey {
        std::string id;
        std::string public_key; // base64, 32 bytes
    };
    std::vector<SealKey> seal_keys;
    // The key "you said, we did" lists from the collector are signed with
    // (base64 Ed25519, given at enrolment). Empty: none are fetched or shown.
    std::string publish_key;
};

// Why delivery settings could not be read, checked or written.
struct SettingsProblem {
    enum class Kind {
        NoFile,         // no settings file there: delivery is not set up
        NotAFile,       // something else is there (a folder, a device): a mistake to show
        TooLarge,       // bigger than any settings file
        NotAnObject,    // not JSON, or not an object
        UnknownSetting, // a key Sayso does not know (a typo is never ignored)
        BadValue,       // a known setting with a value it can't take
        CantWrite,      // the file could not be written or replaced
    };
    Kind kind = Kind::BadValue;
    std::string source;  // the file, or what the settings came from ("the collector's reply")
    std::string setting; // the setting at fault, for UnknownSetting and BadValue
    std::string why;     // in words
};
// Names the source and the setting, e.g.
// "sync.json: \"endpoint\" plain http is only allowed to this machine (127.0.0.1); use https".
std::string describe(const SettingsProblem&);
template <class T> using SettingsResult = Result<T, SettingsProblem>;

// Reads and checks a settings file; a missing file is a NoFile problem.
SettingsResult<Config> load_config(const std::filesystem::path& file);
// Checks settings given as JSON text; `name` says where they came from.
SettingsResult<Config> parse_config(const std::string& text, const std::string& name);

} // namespace sayso::sync

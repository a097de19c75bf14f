// libFuzzer: a survey pack as an admin installs it: pack.json and a picture.
// The input is pack.json, then a line "=====", then the bytes of
// pictures/p.png (the seeds point every picture there). Written to a folder
// in memory and read by the real loader, which decodes every picture.
#include "pack/pack.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

// The folder the pack is written to, made once and removed when the fuzzer exits.
struct Folder {
    std::filesystem::path dir;
    Folder() {
        const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
        dir = base / ("sayso-fuzz-pack-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir / "pictures");
    }
    ~Folder() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

std::filesystem::path folder() {
    static const Folder f;
    return f.dir;
}

void write(const std::filesystem::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::string mark = "\n=====\n";
    const auto cut = input.find(mark);
    const auto dir = folder();
    write(dir / "pack.json", input.substr(0, cut));
    write(dir / "pictures" / "p.png", cut == std::string::npos ? std::string() : input.substr(cut + mark.size()));
    const auto r = sayso::pack::load_pack(dir);
    if (r.ok() != (r.errors() == 0)) std::abort(); // a pack with an error is never used
    for (const auto& p : r.problems)
        (void)p.str();
    return 0;
}

// Pictures as SDL textures. Files are decoded off the drawing thread
// (decode_pictures, run as a task) and uploaded between frames (add), so a
// frame only looks a picture up.
#pragma once

#include "pack/pack.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

struct SDL_Renderer;
struct SDL_Texture;

namespace sayso::ui {

struct Picture {
    SDL_Texture* texture = nullptr;
    int w = 0, h = 0;
    std::uint64_t serial = 0; // this upload's own number (a texture's address may be used again)
    explicit operator bool() const { return texture != nullptr; }
};

// A PNG read into RGBA pixels (w * h * 4 bytes, as the decoder gave them, not
// copied); null when the file can't be read.
struct Decoded {
    std::string path;
    int w = 0, h = 0;
    std::shared_ptr<unsigned char> rgba;
};
// Slow work: reads and decodes each file (no SDL; any thread).
std::vector<Decoded> decode_pictures(const std::vector<std::string>& paths);
// Every kiosk picture under `assets`/pictures, by the path asset() looks up.
std::vector<std::string> asset_pictures(const std::filesystem::path& assets);
// Every picture a pack shows (bands, questions, its own answer pictures).
std::vector<std::string> pack_pictures(const pack::Pack& pack);

class Textures {
  public:
    Textures(SDL_Renderer* renderer, std::filesystem::path assets) : renderer_(renderer), assets_(std::move(assets)) {}
    ~Textures();
    Textures(const Textures&) = delete;
    Textures& operator=(const Textures&) = delete;

    const std::filesystem::path& assets() const { return assets_; }
    // Of `paths`, those neither uploaded nor on their way; these are marked on their way.
    std::vector<std::string> wanted(const std::vector<std::string>& paths);
    // Uploads decoded pictures (main thread, between frames).
    void add(std::vector<Decoded> pictures);

    // A PNG by absolute path; an empty Picture if it can't be read, or is
    // still being decoded. A picture nobody asked to decode first is read
    // here, which is slow work the frame guard reports.
    Picture file(const std::string& path);
    // A kiosk picture by name, e.g. "faces/face-3-happy" or "ui/skip".
    Picture asset(const std::string& name);

  private:
    SDL_Renderer* renderer_;
    std::filesystem::path assets_;
    std::map<std::string, Picture> cache_;
    std::set<std::string> coming_; // being decoded
    std::uint64_t uploads_ = 0;
    Picture upload(const Decoded& d);
};

} // namespace sayso::ui

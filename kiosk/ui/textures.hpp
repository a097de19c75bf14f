// Pictures as SDL textures, loaded once and kept while the kiosk runs.
#pragma once

#include <filesystem>
#include <map>
#include <string>

struct SDL_Renderer;
struct SDL_Texture;

namespace sayso::ui {

struct Picture {
    SDL_Texture* texture = nullptr;
    int w = 0, h = 0;
    explicit operator bool() const { return texture != nullptr; }
};

class Textures {
public:
    Textures(SDL_Renderer* renderer, std::filesystem::path assets) : renderer_(renderer), assets_(std::move(assets)) {}
    ~Textures();
    Textures(const Textures&) = delete;
    Textures& operator=(const Textures&) = delete;

    // A PNG by absolute path; an empty Picture if it can't be read.
    Picture file(const std::string& path);
    // A kiosk picture by name, e.g. "faces/face-3-happy" or "ui/skip".
    Picture asset(const std::string& name);

private:
    SDL_Renderer* renderer_;
    std::filesystem::path assets_;
    std::map<std::string, Picture> cache_;
};

} // namespace sayso::ui

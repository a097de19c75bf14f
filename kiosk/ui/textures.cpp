#include "textures.hpp"

#include <SDL.h>
#include <stb/stb_image.h>

namespace sayso::ui {

Textures::~Textures() {
    for (auto& [_, p] : cache_)
        if (p.texture) SDL_DestroyTexture(p.texture);
}

Picture Textures::file(const std::string& path) {
    if (path.empty()) return {};
    if (auto it = cache_.find(path); it != cache_.end()) return it->second;
    Picture p;
    int w = 0, h = 0, n = 0;
    // The pack validator has already checked size and format; this is a
    // second line of defence for kiosk assets.
    if (stbi_uc* pixels = stbi_load(path.c_str(), &w, &h, &n, 4); pixels && w > 0 && h > 0 && w <= 4096 && h <= 4096) {
        SDL_Texture* t = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC, w, h);
        if (t) {
            SDL_UpdateTexture(t, nullptr, pixels, w * 4);
            SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
            SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
            p = Picture{t, w, h};
        }
        stbi_image_free(pixels);
    } else if (pixels) {
        stbi_image_free(pixels);
    }
    cache_[path] = p; // remember failures too, so a bad file is not re-read every frame
    return p;
}

Picture Textures::asset(const std::string& name) {
    return file((assets_ / "pictures" / (name + ".png")).string());
}

} // namespace sayso::ui

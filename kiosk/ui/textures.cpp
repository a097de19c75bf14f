#include "textures.hpp"

#include "tasks/frame_guard.hpp"

#include <SDL.h>
#include <stb/stb_image.h>

#include <malloc.h>

#include <algorithm>

namespace sayso::ui {

namespace {

Decoded decode(const std::string& path) {
    Decoded d;
    d.path = path;
    int w = 0, h = 0, n = 0;
    // The pack validator has already checked size and format; this is a
    // second line of defence for kiosk assets.
    if (stbi_uc* pixels = stbi_load(path.c_str(), &w, &h, &n, 4)) {
        std::shared_ptr<unsigned char> owned(pixels, [](unsigned char* p) { stbi_image_free(p); });
        if (w > 0 && h > 0 && w <= 4096 && h <= 4096) {
            d.w = w;
            d.h = h;
            d.rgba = std::move(owned);
        }
    }
    return d;
}

} // namespace

std::vector<Decoded> decode_pictures(const std::vector<std::string>& paths) {
    tasks::blocking("decoding pictures");
    std::vector<Decoded> out;
    out.reserve(paths.size());
    for (const auto& p : paths)
        out.push_back(decode(p));
    return out;
}

std::vector<std::string> asset_pictures(const std::filesystem::path& assets) {
    tasks::blocking("listing the kiosk's pictures");
    std::vector<std::string> out;
    std::error_code ec;
    const auto root = assets / "pictures";
    for (std::filesystem::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".png") {
            // The same spelling asset() looks up: root / "ui/skip.png".
            const auto rel = it->path().lexically_relative(root);
            out.push_back((root / rel).string());
        }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> pack_pictures(const pack::Pack& pack) {
    std::set<std::string> out;
    if (!pack.picture.empty()) out.insert(pack.picture);
    for (const auto& b : pack.bands) {
        if (!b.picture.empty()) out.insert(b.picture);
        for (const auto& q : b.questions) {
            if (!q.picture.empty()) out.insert(q.picture);
            for (const auto& o : q.options)
                if (!o.builtin && !o.picture.empty()) out.insert(o.picture);
        }
    }
    return {out.begin(), out.end()};
}

Textures::~Textures() {
    for (auto& [_, p] : cache_)
        if (p.texture) SDL_DestroyTexture(p.texture);
}

std::vector<std::string> Textures::wanted(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths)
        if (!cache_.count(p) && coming_.insert(p).second) out.push_back(p);
    return out;
}

Picture Textures::upload(const Decoded& d) {
    if (!d.rgba) return {};
    SDL_Texture* t = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC, d.w, d.h);
    if (!t) return {};
    SDL_UpdateTexture(t, nullptr, d.rgba.get(), d.w * 4);
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
    return Picture{t, d.w, d.h, ++uploads_};
}

void Textures::add(std::vector<Decoded> pictures) {
    for (const auto& d : pictures) {
        coming_.erase(d.path);
        auto& slot = cache_[d.path];
        if (slot.texture) SDL_DestroyTexture(slot.texture);
        slot = upload(d); // failures are remembered too, so a bad file is not read again
    }
    // The decoded pixels were freed in the decoding thread's own malloc
    // arena, which keeps them (about 6 MiB for the bundled packs) unless asked
    // to give them back.
    pictures.clear();
    malloc_trim(0);
}

Picture Textures::file(const std::string& path) {
    if (path.empty()) return {};
    if (auto it = cache_.find(path); it != cache_.end()) return it->second;
    if (coming_.count(path)) return {};
    const Decoded d = decode_pictures({path}).front();
    return cache_[path] = upload(d);
}

Picture Textures::asset(const std::string& name) {
    return file((assets_ / "pictures" / (name + ".png")).string());
}

} // namespace sayso::ui

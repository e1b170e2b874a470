#include "cache/entry_format.h"

#include "auth/base64url.h"

#include <nlohmann/json.hpp>

#include <openssl/crypto.h>

namespace courtplay::cache {
namespace {
const std::string manifest_magic = "CPM1";
const std::string manifest_ad = "courtplay cache manifest v1";
const std::string chunk_label = "courtplay cache chunk v1";

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

void put_be64(std::vector<uint8_t>& out, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
}  // namespace

std::string entry_name(const SecretKey& names_key, const std::string& share_id, const std::string& clip_id,
                       const std::string& sha256) {
    const auto k = names_key.bytes();
    std::string input(reinterpret_cast<const char*>(k.data()), k.size());
    input += share_id + '\0' + clip_id + '\0' + sha256;
    const auto digest = auth::sha256(input);
    OPENSSL_cleanse(input.data(), input.size());
    return auth::hex(std::span<const uint8_t>(digest.data(), 16));
}

std::vector<uint8_t> seal_manifest(const Manifest& m, Aead& aead, const std::string& name) {
    const auto key = m.data_key.bytes();
    nlohmann::json j = {{"share_id", m.share_id},       {"clip_id", m.clip_id},     {"title", m.title},
                        {"sha256", m.sha256},           {"bytes", m.bytes},         {"party", m.party},
                        {"case_ref", m.case_ref},       {"expires_at", m.expires_at},
                        {"keep_until", m.keep_until},   {"token_digest", m.token_digest},
                        {"grant_jws", m.grant_jws},
                        {"data_key", auth::base64url_encode(std::span<const uint8_t>(key.data(), key.size()))},
                        {"chunk_size", m.chunk_size},   {"complete", m.complete},
                        {"stored_at", m.stored_at},     {"verified_at", m.verified_at}};
    std::string plain = j.dump();
    std::vector<uint8_t> out = bytes_of(manifest_magic);
    out.resize(manifest_magic.size() + plain.size() + kSealOverhead);
    aead.seal({reinterpret_cast<const uint8_t*>(plain.data()), plain.size()}, bytes_of(manifest_ad + '\0' + name),
              out.data() + manifest_magic.size());
    OPENSSL_cleanse(plain.data(), plain.size());
    return out;
}

std::optional<Manifest> open_manifest(const std::vector<uint8_t>& sealed, Aead& aead, const std::string& name) {
    const size_t head = manifest_magic.size();
    if (sealed.size() < head + kSealOverhead || !std::equal(manifest_magic.begin(), manifest_magic.end(), sealed.begin()))
        return std::nullopt;
    std::string plain(sealed.size() - head - kSealOverhead, '\0');
    if (!aead.open({sealed.data() + head, sealed.size() - head}, bytes_of(manifest_ad + '\0' + name),
                   reinterpret_cast<uint8_t*>(plain.data())))
        return std::nullopt;
    try {
        const nlohmann::json j = nlohmann::json::parse(plain);
        OPENSSL_cleanse(plain.data(), plain.size());
        Manifest m;
        j.at("share_id").get_to(m.share_id);
        j.at("clip_id").get_to(m.clip_id);
        j.at("title").get_to(m.title);
        j.at("sha256").get_to(m.sha256);
        j.at("bytes").get_to(m.bytes);
        j.at("party").get_to(m.party);
        j.at("case_ref").get_to(m.case_ref);
        j.at("expires_at").get_to(m.expires_at);
        j.at("keep_until").get_to(m.keep_until);
        j.at("token_digest").get_to(m.token_digest);
        m.grant_jws = j.value("grant_jws", std::string());  // entries stored before it was kept have none
        j.at("chunk_size").get_to(m.chunk_size);
        j.at("complete").get_to(m.complete);
        j.at("stored_at").get_to(m.stored_at);
        j.at("verified_at").get_to(m.verified_at);
        auto key = auth::base64url_decode(j.at("data_key").get<std::string>());
        if (!key || key->size() != 32 || m.chunk_size == 0 || m.bytes < 0) return std::nullopt;
        m.data_key = SecretKey(*key);
        OPENSSL_cleanse(key->data(), key->size());
        return m;
    } catch (const nlohmann::json::exception&) {
        // Sealed by this kiosk yet not a manifest: a bug or another version. Treated as damaged.
        return std::nullopt;
    }
}

std::vector<uint8_t> chunk_ad(const std::string& name, uint64_t index, uint64_t clip_bytes) {
    std::vector<uint8_t> ad = bytes_of(chunk_label + '\0' + name + '\0');
    put_be64(ad, index);
    put_be64(ad, clip_bytes);
    return ad;
}

}  // namespace courtplay::cache

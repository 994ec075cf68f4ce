#pragma once
// Reading MessagePack that may come from someone else (a partner's file, a
// damaged journal) without letting its nesting exhaust the stack.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>

namespace duet::util {

inline constexpr std::size_t k_max_msgpack_depth = 32;

namespace detail {
// Builds the document like nlohmann's own DOM parser, but stops at a depth
// limit: the reader recurses once per level, so refusing the level bounds it.
class DepthLimitedDom : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
  public:
    explicit DepthLimitedDom(nlohmann::json& out)
        : nlohmann::detail::json_sax_dom_parser<nlohmann::json>(out, false) {}
    bool start_object(std::size_t n) {
        return ++m_depth <= k_max_msgpack_depth &&
               nlohmann::detail::json_sax_dom_parser<nlohmann::json>::start_object(n);
    }
    bool end_object() {
        --m_depth;
        return nlohmann::detail::json_sax_dom_parser<nlohmann::json>::end_object();
    }
    bool start_array(std::size_t n) {
        return ++m_depth <= k_max_msgpack_depth &&
               nlohmann::detail::json_sax_dom_parser<nlohmann::json>::start_array(n);
    }
    bool end_array() {
        --m_depth;
        return nlohmann::detail::json_sax_dom_parser<nlohmann::json>::end_array();
    }

  private:
    std::size_t m_depth = 0;
};
} // namespace detail

// nullopt when the bytes are not one complete MessagePack value of sane depth.
template <typename It> std::optional<nlohmann::json> parse_msgpack(It first, It last) {
    nlohmann::json out;
    detail::DepthLimitedDom dom(out);
    try {
        if (!nlohmann::json::sax_parse(first, last, &dom, nlohmann::json::input_format_t::msgpack,
                                       true) ||
            dom.is_errored()) {
            return std::nullopt;
        }
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return out;
}

} // namespace duet::util

#include "duet/util/msgpack.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace duet::util;
using nlohmann::json;

namespace {
std::vector<unsigned char> written(const std::function<void(MsgpackWriter&)>& write) {
    MsgpackWriter count;
    write(count);
    std::vector<unsigned char> out(count.size());
    MsgpackWriter writer(out.data());
    write(writer);
    CHECK(writer.size() == out.size());
    return out;
}
} // namespace

TEST_CASE("util::MsgpackWriter writes what nlohmann writes") {
    // nlohmann's to_msgpack also picks the smallest encoding of each value.
    for (const std::int64_t v : {std::int64_t{0},
                                 std::int64_t{127},
                                 std::int64_t{128},
                                 std::int64_t{255},
                                 std::int64_t{256},
                                 std::int64_t{65535},
                                 std::int64_t{65536},
                                 std::int64_t{4294967295},
                                 std::int64_t{4294967296},
                                 std::int64_t{-1},
                                 std::int64_t{-32},
                                 std::int64_t{-33},
                                 std::int64_t{-128},
                                 std::int64_t{-129},
                                 std::int64_t{-32768},
                                 std::int64_t{-32769},
                                 std::int64_t{-2147483648LL},
                                 std::int64_t{-2147483649LL},
                                 std::numeric_limits<std::int64_t>::max(),
                                 std::numeric_limits<std::int64_t>::min()}) {
        CAPTURE(v);
        CHECK(written([v](MsgpackWriter& w) { w.integer(v); }) == json::to_msgpack(json(v)));
    }
    for (const std::size_t n : {0, 31, 32, 255, 256, 65535, 65536}) {
        CAPTURE(n);
        const std::string s(n, 'x');
        CHECK(written([&s](MsgpackWriter& w) { w.str(s); }) == json::to_msgpack(json(s)));
        CHECK(written([n](MsgpackWriter& w) { w.zeros(n); }) ==
              json::to_msgpack(json(std::string(std::min<std::size_t>(n, 65535), '\0'))));
    }
    const json map = {{"a", true}, {"b", false}};
    CHECK(written([](MsgpackWriter& w) {
              w.map(2);
              w.str("a");
              w.boolean(true);
              w.str("b");
              w.boolean(false);
          }) == json::to_msgpack(map));
}

TEST_CASE("util::MsgpackReader") {
    const json doc = {{"n", -300},
                      {"big", 5000000000LL},
                      {"s", "text"},
                      {"t", true},
                      {"skip", {{"x", {1, 2.5, nullptr, "y"}}, {"bin", json::binary({1, 2, 3})}}}};
    const auto bytes = json::to_msgpack(doc); // keys in sorted order: big, n, s, skip, t
    MsgpackReader r(bytes);
    REQUIRE(r.map_size() == 5);
    CHECK(r.str() == "big");
    CHECK(r.integer<std::int64_t>() == 5000000000LL);
    CHECK(r.str() == "n");
    CHECK(r.integer<int>() == -300);
    CHECK(r.str() == "s");
    CHECK(r.str() == "text");
    CHECK(r.str() == "skip");
    r.skip();
    CHECK(r.str() == "t");
    CHECK(r.boolean());
    CHECK(r.done());

    SUBCASE("surprises are damage") {
        const auto number = json::to_msgpack(json(300));
        CHECK_THROWS_AS(MsgpackReader(number).integer<std::int8_t>(), MsgpackDamaged);
        CHECK_THROWS_AS(MsgpackReader(number).boolean(), MsgpackDamaged);
        CHECK_THROWS_AS(MsgpackReader(number).str(), MsgpackDamaged);
        const auto real = json::to_msgpack(json(1.5));
        CHECK_THROWS_AS(MsgpackReader(real).integer<std::int64_t>(), MsgpackDamaged);
        const auto huge = json::to_msgpack(json(std::numeric_limits<std::uint64_t>::max()));
        CHECK_THROWS_AS(MsgpackReader(huge).integer<std::int64_t>(), MsgpackDamaged);
        const std::vector<unsigned char> cut = {0xa5, 'a', 'b'};
        CHECK_THROWS_AS(MsgpackReader(cut).str(), MsgpackDamaged);
        const std::vector<unsigned char> unused = {0xc1};
        CHECK_THROWS_AS(MsgpackReader(unused).skip(), MsgpackDamaged);
    }
    SUBCASE("skip stops at the depth limit") {
        std::vector<unsigned char> nested(k_max_msgpack_depth, 0x91);
        nested.push_back(0xc0);
        MsgpackReader ok(nested);
        ok.skip();
        CHECK(ok.done());
        nested.insert(nested.begin(), 0x91);
        CHECK_THROWS_AS(MsgpackReader(nested).skip(), MsgpackDamaged);
    }
}

TEST_CASE("util::parse_msgpack") {
    const json doc = {{"entry", json::binary({1, 2, 3}, 7)},
                      {"list", {1, -2, 3.5, "four", nullptr, false, {{"k", "v"}}}},
                      {"nested", {{"a", {{"b", json::array()}}}}},
                      {"empty", json::object()}};
    const auto bytes = json::to_msgpack(doc);
    const auto back = parse_msgpack(bytes.begin(), bytes.end());
    REQUIRE(back);
    CHECK(*back == doc);
    CHECK(back->at("entry").get_binary().subtype() == 7);
    const std::string as_text(bytes.begin(), bytes.end());
    CHECK(parse_msgpack(as_text.begin(), as_text.end()) == back);
    const auto scalar = json::to_msgpack(json("just a string"));
    CHECK(parse_msgpack(scalar.begin(), scalar.end()).value_or(json()) == "just a string");

    SUBCASE("malformed, cut short or followed by more") {
        const std::vector<unsigned char> empty;
        CHECK_FALSE(parse_msgpack(empty.begin(), empty.end()));
        CHECK_FALSE(parse_msgpack(bytes.begin(), bytes.end() - 1));
        auto longer = bytes;
        longer.push_back(0xc0);
        CHECK_FALSE(parse_msgpack(longer.begin(), longer.end()));
        const std::vector<unsigned char> unused = {0xc1};
        CHECK_FALSE(parse_msgpack(unused.begin(), unused.end()));
    }
    SUBCASE("nesting up to the limit, not past it") {
        for (const unsigned char container :
             std::initializer_list<unsigned char>{0x91, 0x81}) { // an array, a map of one key
            std::vector<unsigned char> nested;
            for (std::size_t i = 0; i < k_max_msgpack_depth; ++i) {
                nested.push_back(container);
                if (container == 0x81) {
                    nested.insert(nested.end(), {0xa1, 'k'});
                }
            }
            nested.push_back(0xc0);
            CHECK(parse_msgpack(nested.begin(), nested.end()));
            nested.insert(nested.begin(), 0x91);
            CHECK_FALSE(parse_msgpack(nested.begin(), nested.end()));
        }
        std::vector<unsigned char> deep(200000, 0x91);
        deep.push_back(0xc0);
        CHECK_FALSE(parse_msgpack(deep.begin(), deep.end()));
    }
}

#pragma once
// A stream buffer that hands on whatever is written, in pieces as written:
// the part that the output streams (cli/output.cpp, cli/paged_stream.cpp) share.
#include <ios>
#include <streambuf>
#include <string_view>

namespace duet::cli {

class PieceBuf : public std::streambuf {
  protected:
    virtual void put(std::string_view piece) = 0;

    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) {
            return traits_type::not_eof(c);
        }
        const char ch = traits_type::to_char_type(c);
        put(std::string_view(&ch, 1));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        put(std::string_view(s, static_cast<std::size_t>(n)));
        return n;
    }
};

} // namespace duet::cli

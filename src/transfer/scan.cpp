// The checking pass over an export: a SAX handler that follows the parser,
// keeps the top-level members that tell the formats apart and builds one record
// of "entries" at a time, with its place in the file.
#include "scan.hpp"

#include "duet/error.hpp"
#include "formats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <utility>

namespace duet::transfer {

using nlohmann::json;

namespace {

// The top-level members detect_format and check_duet_version look at; the
// others, apart from "entries", are read past without being kept.
constexpr std::array<std::string_view, 4> k_header_keys = {"format", "version", "metadata", "tags"};

// nlohmann's message without its prefix and without the bytes it last read.
std::string describe(const json::exception& e) {
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) {
        what.erase(0, p + 2);
    }
    if (const auto p = what.find("; last read"); p != std::string::npos) {
        what.erase(p);
    }
    return what;
}

// Builds one object or array from parser events: a record of "entries", or a
// member of the header.
class ValueBuilder {
  public:
    void value(json&& v) { place(std::move(v)); }
    void open(json::value_t kind) {
        m_open.push_back(m_open.empty() ? &(m_root = json(kind)) : place(json(kind)));
    }
    void key(std::string&& key) { m_key = std::move(key); }
    // True when that closes the outermost container: the value is complete.
    bool close() {
        m_open.pop_back();
        return m_open.empty();
    }
    const json& value() const { return m_root; }
    json take() { return std::move(m_root); }

  private:
    json* place(json&& v) {
        json& parent = *m_open.back();
        if (parent.is_array()) {
            auto& items = parent.get_ref<json::array_t&>();
            items.push_back(std::move(v));
            return &items.back();
        }
        // A repeated key keeps its last value, as json::parse does.
        auto& members = parent.get_ref<json::object_t&>();
        return &members.insert_or_assign(std::move(m_key), std::move(v)).first->second;
    }

    json m_root;
    // Pointers stay valid: nothing is added to a container while a child of it is open.
    std::vector<json*> m_open;
    std::string m_key;
};

// Follows the parser through an export (a nlohmann SAX handler): enforces the
// depth limit, keeps the top-level members that tell the formats apart, and
// builds the records of "entries" one at a time, with their bytes in the file.
class ExportScanner {
  public:
    // The "entries" array begins; `header` holds the top-level members before it.
    // True to have its records built and handed to OnRecord.
    using OnEntries = std::function<bool(const json& header)>;
    // A record, numbered from 1, and its bytes [offset, offset + length) (known
    // for objects and arrays only). False to build no more records.
    using OnRecord = std::function<bool(const json& record, std::size_t number,
                                        std::uint64_t offset, std::uint64_t length)>;

    ExportScanner(const Stream& stream, std::string_view name, OnEntries on_entries,
                  OnRecord on_record)
        : m_stream(stream), m_name(name), m_on_entries(std::move(on_entries)),
          m_on_record(std::move(on_record)) {}

    // The members of k_header_keys, and "entries" as [] when it is an array.
    json& header() { return m_header; }

    bool null() { return scalar(nullptr); }
    bool boolean(bool v) { return scalar(v); }
    bool number_integer(json::number_integer_t v) { return scalar(v); }
    bool number_unsigned(json::number_unsigned_t v) { return scalar(v); }
    bool number_float(json::number_float_t v, const std::string& /*text*/) { return scalar(v); }
    bool string(std::string& v) { return scalar(std::move(v)); }
    bool binary(json::binary_t& /*bytes*/) { return true; } // not in JSON
    bool start_object(std::size_t /*elements*/) { return open(json::value_t::object); }
    bool start_array(std::size_t /*elements*/) { return open(json::value_t::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(std::string& key) {
        check_depth();
        if (m_building != Building::nothing) {
            m_builder.key(std::move(key));
        } else if (m_depth == 1) {
            m_key = std::move(key);
        }
        return true;
    }

    bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                     const json::exception& e) {
        throw invalid_json(e);
    }

    // Inside the entries the format is plain; elsewhere, say what duet reads.
    DataError invalid_json(const json::exception& e) const {
        const std::string hint = m_in_entries ? "" : "; " + std::string(k_formats_read);
        return DataError(where() + "not valid JSON (" + describe(e) + ")" + hint);
    }

  private:
    enum class Building { nothing, header_member, record };

    std::string where() const {
        return m_in_entries ? fmt::format("{}: entry {}: ", m_name, m_records + 1)
                            : fmt::format("{}: ", m_name);
    }

    void check_depth() const {
        if (m_depth >= k_max_import_depth) {
            throw DataError(where() + fmt::format("nested more than {} levels deep, which no "
                                                  "journal export is",
                                                  k_max_import_depth));
        }
    }

    // A value of the top-level object, after its key.
    bool at_member() const { return m_depth == 1 && m_top_is_object; }
    bool at_record() const { return m_depth == 2 && m_in_entries; }
    bool is_header_key() const {
        return std::find(k_header_keys.begin(), k_header_keys.end(), m_key) != k_header_keys.end();
    }

    template <typename T> bool scalar(T&& v) {
        check_depth();
        if (m_building != Building::nothing) {
            m_builder.value(json(std::forward<T>(v)));
        } else if (at_member()) {
            if (m_key == "entries") {
                m_header["entries"] = nullptr; // not a list
            } else if (is_header_key()) {
                m_header[m_key] = json(std::forward<T>(v));
            }
        } else if (at_record()) {
            // Not an object: converting it says so.
            if (m_build_records) {
                m_build_records = m_on_record(json(std::forward<T>(v)), m_records + 1, 0, 0);
            }
            ++m_records;
        }
        return true;
    }

    bool open(json::value_t kind) {
        check_depth();
        if (m_building != Building::nothing) {
            m_builder.open(kind);
        } else if (m_depth == 0) {
            m_top_is_object = kind == json::value_t::object;
            m_header = m_top_is_object ? json::object() : json();
        } else if (at_member() && m_key == "entries") {
            m_header["entries"] = kind == json::value_t::array ? json::array() : json();
            if (kind == json::value_t::array) {
                m_in_entries = true;
                m_records = 0;
                m_build_records = m_on_entries(m_header);
            }
        } else if (at_member() && is_header_key()) {
            m_building = Building::header_member;
            m_builder.open(kind);
        } else if (at_record()) {
            m_record_start = m_stream.offset() - 1; // the parser has just read '{' or '['
            if (m_build_records) {
                m_building = Building::record;
                m_builder.open(kind);
            }
        }
        ++m_depth;
        return true;
    }

    bool close() {
        --m_depth;
        if (m_building != Building::nothing) {
            if (m_builder.close()) {
                finish_value();
            }
        } else if (at_record()) {
            ++m_records; // a record read past
        } else if (m_in_entries && m_depth == 1) {
            m_in_entries = false;
        }
        return true;
    }

    void finish_value() {
        if (m_building == Building::record) {
            // The parser has just read the record's closing '}' or ']'.
            m_build_records = m_on_record(m_builder.value(), m_records + 1, m_record_start,
                                          m_stream.offset() - m_record_start);
            ++m_records;
        } else {
            m_header[m_key] = m_builder.take();
        }
        m_building = Building::nothing;
    }

    const Stream& m_stream;
    std::string_view m_name;
    OnEntries m_on_entries;
    OnRecord m_on_record;
    json m_header;
    ValueBuilder m_builder;
    Building m_building = Building::nothing;
    // Containers open around the parser: 1 inside the top-level object, 2 inside "entries".
    int m_depth = 0;
    bool m_top_is_object = false;
    std::string m_key; // of the top-level member being read
    bool m_in_entries = false;
    bool m_build_records = false;
    std::size_t m_records = 0; // records of "entries" read so far
    std::uint64_t m_record_start = 0;
};

std::optional<ImportFormat> guess_format(const json& header, std::string_view name) {
    try {
        return detect_format(header, name);
    } catch (const DataError&) {
        return std::nullopt;
    }
}

} // namespace

// Reads the whole export once, converting each record (in `known`, or else in
// the format the members before "entries" tell) to check it.
Pass scan(const Source& source, std::optional<ImportFormat> known) {
    const std::string& name = source.name();
    Pass pass;
    ImportBatch scratch;
    const auto on_entries = [&](const json& header) {
        // A repeated "entries" replaces the earlier one, as in a parsed document.
        pass.places.clear();
        pass.fingerprints.clear();
        pass.records = 0;
        pass.first_error = nullptr;
        scratch = ImportBatch();
        pass.converted_as = known ? known : guess_format(header, name);
        return pass.converted_as.has_value();
    };
    const auto on_record = [&](const json& record, std::size_t number, std::uint64_t offset,
                               std::uint64_t length) {
        scratch.entries.clear();
        try {
            add_record(*pass.converted_as, record, name, number, Identities::skip, scratch);
        } catch (const DataError&) {
            pass.first_error = std::current_exception();
            return false;
        }
        pass.records = number;
        pass.fingerprints.resize(number);
        if (!scratch.entries.empty()) {
            pass.places.push_back({scratch.entries.front().entry.created_at.seconds, offset,
                                   static_cast<std::uint32_t>(length),
                                   static_cast<std::uint32_t>(number)});
            pass.fingerprints[number - 1] = scratch.entries.front().fingerprint;
        }
        return true;
    };
    Stream stream(source);
    ExportScanner scanner(stream, name, on_entries, on_record);
    try {
        json::sax_parse(stream.begin(), Stream::end(), &scanner);
    } catch (const json::exception& e) {
        throw scanner.invalid_json(e);
    }
    pass.header = std::move(scanner.header());
    pass.partner_entries = scratch.partner_entries;
    pass.empty_entries = scratch.empty_entries;
    return pass;
}

} // namespace duet::transfer

#include "rows.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace duet::store {

RowReader::RowReader(const Database& db, Range range, LostFn lost)
    : m_db(&db), m_range(std::move(range)), m_lost(std::move(lost)) {
    m_db->guarded([&] {
        m_scan.emplace(db.sql(), fmt::format("SELECT id, {} FROM {} WHERE id BETWEEN ? AND ? "
                                             "ORDER BY id {}",
                                             m_range.columns, m_range.table,
                                             m_range.descending ? "DESC" : "ASC"));
        m_scan->bind(1, m_range.first);
        m_scan->bind(2, m_range.last);
    });
}

SQLite::Statement* RowReader::next() {
    if (m_pending) {
        return next_one_at_a_time();
    }
    const bool stepped = m_db->guarded(
        [&] {
            if (!m_scan->executeStep()) {
                return false;
            }
            m_passed = m_scan->getColumn(0).getInt64();
            return true;
        },
        [&] {
            // A damaged page: go on past it, row by row, naming what is lost.
            switch_to_one_at_a_time();
            return false;
        });
    if (stepped) {
        return &*m_scan;
    }
    return m_pending ? next_one_at_a_time() : nullptr;
}

void RowReader::switch_to_one_at_a_time() {
    m_scan.reset(); // a statement that met damage cannot be stepped again
    std::vector<std::int64_t> ids = m_db->ids_from_index(m_range.table, m_range.index);
    const Range& r = m_range;
    std::erase_if(ids, [&](std::int64_t id) {
        const bool beyond = !m_passed || (r.descending ? id < *m_passed : id > *m_passed);
        return id < r.first || id > r.last || !beyond;
    });
    if (!r.descending) {
        std::reverse(ids.begin(), ids.end());
    }
    m_pending = std::move(ids);
}

SQLite::Statement* RowReader::next_one_at_a_time() {
    const std::string by_id =
        fmt::format("SELECT id, {} FROM {} WHERE id = ?", m_range.columns, m_range.table);
    while (!m_pending->empty()) {
        const std::int64_t id = m_pending->back();
        m_pending->pop_back();
        const bool found = m_db->guarded(
            [&] {
                m_one.emplace(m_db->sql(), by_id); // fresh: one that met damage cannot be reset
                m_one->bind(1, id);
                return m_one->executeStep();
            },
            [&] {
                m_lost(id);
                return false;
            });
        if (found) {
            return &*m_one;
        }
    }
    m_one.reset();
    return nullptr;
}

} // namespace duet::store

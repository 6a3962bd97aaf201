//! Word-position and spelling arithmetic shared by the matcher and the search index, so
//! that phrases, NEAR and `~fuzzy` mean exactly the same thing on both paths.

/// Start positions where the words of a phrase occur consecutively, given each word's
/// sorted positions in the document (`word_positions[i]` for the phrase's i-th word).
pub fn phrase_starts(word_positions: &[&[u32]]) -> Vec<u32> {
    let Some((first, rest)) = word_positions.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .copied()
        .filter(|&start| {
            rest.iter().enumerate().all(|(offset, positions)| {
                positions.binary_search(&(start + offset as u32 + 1)).is_ok()
            })
        })
        .collect()
}

/// Whether an occurrence of the left span (starts, length in words) and one of the right
/// span appear in either order, without overlapping, with at most `max_between` words
/// between them.
pub fn near(left: (&[u32], u32), right: (&[u32], u32), max_between: u32) -> bool {
    let (left_starts, left_len) = left;
    let (right_starts, right_len) = right;
    left_starts.iter().any(|&left_start| {
        right_starts.iter().any(|&right_start| {
            let gap = if left_start + left_len <= right_start {
                right_start - (left_start + left_len)
            } else if right_start + right_len <= left_start {
                left_start - (right_start + right_len)
            } else {
                return false;
            };
            gap <= max_between
        })
    })
}

/// Whether `a` and `b` are within `max_edits` edits, counting characters: an insertion,
/// a deletion, a substitution or a transposition of two adjacent characters each cost
/// one (optimal string alignment, as Lucene's and tantivy's fuzzy queries count).
pub fn within_edits(a: &str, b: &str, max_edits: u8) -> bool {
    let max = usize::from(max_edits);
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut before_previous: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before_previous[j - 2] + 1);
            }
            current[j] = best;
        }
        if current.iter().all(|&distance| distance > max) {
            return false;
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()] <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_starts_need_consecutive_positions() {
        assert_eq!(phrase_starts(&[&[0, 5], &[1, 9]]), [0]);
        assert!(phrase_starts(&[&[0], &[2]]).is_empty());
    }

    #[test]
    fn near_counts_words_between_in_either_order() {
        assert!(near((&[0], 1), (&[4], 1), 3), "a x x x b");
        assert!(!near((&[0], 1), (&[5], 1), 3), "a x x x x b");
        assert!(near((&[4], 1), (&[0], 1), 3), "b x x x a");
        assert!(near((&[0], 2), (&[5], 1), 3), "phrase spans count from their end");
        assert!(!near((&[0], 1), (&[0], 1), 3), "one occurrence is not two");
    }

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        assert!(within_edits("bagage", "baggage", 1));
        assert!(within_edits("bagage", "baggages", 2));
        assert!(!within_edits("bagage", "baggages", 1));
        assert!(within_edits("bagage", "abgage", 1), "transposition");
        assert!(within_edits("bagage", "garage", 2));
        assert!(!within_edits("bagage", "garage", 1));
        assert!(!within_edits("ca", "abc", 2), "optimal string alignment: ca→abc is 3");
        assert!(!within_edits("été", "ete", 0) && within_edits("ete", "ete", 0));
    }
}

//! The listen word tokenizer as a tantivy tokenizer, and the stemmed relevance analyzers.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// Name of the tokenizer that splits and folds words exactly as `listen::for_each_word`.
pub const WORDS: &str = "comptoir_words";
/// French stemming, for relevance only.
pub const FRENCH: &str = "comptoir_fr";
/// English stemming, for relevance only.
pub const ENGLISH: &str = "comptoir_en";

/// Registers the three analyzers on an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    manager.register(WORDS, ListenWords);
    manager.register(FRENCH, stemmed(Language::French));
    manager.register(ENGLISH, stemmed(Language::English));
}

fn stemmed(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(listen::analysis::MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(language))
        .build()
}

/// `listen::for_each_word` as a tantivy tokenizer.
#[derive(Clone, Default)]
pub struct ListenWords;

/// The words of one text, computed up front (texts are short).
pub struct ListenWordStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for ListenWords {
    type TokenStream<'a> = ListenWordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ListenWordStream {
        let mut tokens = Vec::new();
        listen::for_each_word(text, |word, position| {
            tokens.push(Token {
                offset_from: 0,
                offset_to: 0,
                position: position as usize,
                text: word.to_string(),
                position_length: 1,
            });
        });
        ListenWordStream { tokens, next: 0 }
    }
}

impl TokenStream for ListenWordStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

let factory: ZxcvbnFactory | undefined;

/**
 * zxcvbn's 0–4 guessability score, as MAS scores passwords (`passwords.minimum_complexity`). The
 * dictionaries take a few hundred milliseconds to load, so the estimator is built at first use and
 * kept; `userInputs` are words an attacker who knows the user would try first (their names).
 */
export function zxcvbnScore(password: string, userInputs: readonly string[]): number {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory.check(password, [...userInputs]).score;
}

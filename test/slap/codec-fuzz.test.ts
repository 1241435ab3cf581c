import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SlapOSError } from '../../src/errors/index.ts';
import { unmarshal, xml2dict } from '../../src/slap/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

/**
 * Bounded fuzzing of the decoders: random and mutated documents must each
 * give a value or a SLAP_ERR_XML_* error, never another exception, and none
 * may take long (1 s is far beyond the microseconds a document this size
 * needs; exceeding it means super-linear work or a hang).
 */
const DOCUMENTS = 100_000;
const SLOW_MS = 1000;

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

const seeds = [
  ...(JSON.parse(readFileSync(`${REPO_ROOT}/test/fixtures/codec/spec-examples.json`, 'utf8')) as Array<{ document: string }>),
  ...(JSON.parse(readFileSync(`${REPO_ROOT}/test/fixtures/codec/python-values.json`, 'utf8')) as Array<{ document: string }>).slice(0, 60),
].map((example) => example.document);

const TOKENS = [
  '<marshal>', '</marshal>', '<list id="i2">', '</list>', '<tuple>', '</tuple>', '<dictionary id="i3">', '</dictionary>',
  '<string>', '</string>', '<int>', '</int>', '<float>', '</float>', '<long>', '</long>', '<bool>', '</bool>', '<none/>',
  '<reference id="i2"/>', '<reference id="i3"/>', '<object id="i4" module="slapos.slap.slap" class="Computer">', '</object>',
  '<object module="os" class="system">', '<unicode>', '</unicode>', '<set id="i5">', '<code>', '<!DOCTYPE x [<!ENTITY a "b">]>',
  '&amp;', '&lt;', '&#0;', '&#xD800;', '&#128512;', '&a;', '<![CDATA[x]]>', '<!-- c -->', '<?pi x?>', '<?xml version="1.0"?>',
  'a', '1', '-', '.', 'e', 'inf', 'nan', '_', ' ', '\n', '<', '>', '"', '=', '/', 'é', '😀', '\ud800', '\u0000',
  '<instance>', '</instance>', '<parameter id="a">', '</parameter>', '<parameter>',
];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function tokenSoup(next: () => number): string {
  let document = '';
  const length = Math.floor(next() * 40);
  for (let index = 0; index < length; index++) document += pick(next, TOKENS);
  return document;
}

function mutate(next: () => number, document: string): string {
  let mutated = document;
  const edits = 1 + Math.floor(next() * 4);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(next() * (mutated.length + 1));
    const span = Math.floor(next() * 12);
    switch (Math.floor(next() * 5)) {
      case 0: mutated = mutated.slice(0, at) + mutated.slice(at + span); break;
      case 1: mutated = mutated.slice(0, at) + pick(next, TOKENS) + mutated.slice(at); break;
      case 2: mutated = mutated.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + mutated.slice(at + 1); break;
      case 3: mutated = mutated.slice(0, at) + mutated.slice(at, at + span).repeat(2 + Math.floor(next() * 3)) + mutated.slice(at); break;
      default: mutated = mutated.slice(0, at); break;
    }
  }
  return mutated;
}

function check(decode: (document: string) => unknown, document: string): number {
  const start = performance.now();
  try {
    decode(document);
  } catch (error) {
    if (!(error instanceof SlapOSError) || !error.code.startsWith('SLAP_ERR_XML_')) {
      assert.fail(`unexpected ${String(error)} for ${JSON.stringify(document)}`);
    }
  }
  return performance.now() - start;
}

it(`decodes ${DOCUMENTS} random and mutated documents to a value or a typed error, none slowly`, () => {
  const next = random(0x5eed);
  let slowest = 0;
  let slowestDocument = '';
  for (let index = 0; index < DOCUMENTS; index++) {
    const document = index % 3 === 0 ? tokenSoup(next) : mutate(next, pick(next, seeds));
    const decoder = index % 10 === 9 ? xml2dict : unmarshal;
    const elapsed = check(decoder, document);
    if (elapsed > slowest) {
      slowest = elapsed;
      slowestDocument = document;
    }
  }
  assert.ok(slowest < SLOW_MS, `a document took ${Math.round(slowest)} ms: ${JSON.stringify(slowestDocument.slice(0, 200))}`);
});

it('stays linear on large hostile documents', () => {
  const hostile = [
    `<marshal><float>${'1'.repeat(1_000_000)}x</float></marshal>`,
    `<marshal><int>${'1_'.repeat(500_000)}</int></marshal>`,
    `<marshal><list>${'<none/>'.repeat(200_000)}</list></marshal>`,
    `<marshal><string>${'&amp;lt;'.repeat(200_000)}</string></marshal>`,
    `<marshal><list id="i2">${' '.repeat(1_000_000)}x</list></marshal>`,
    `<marshal>${'<tuple>'.repeat(99)}${'</tuple>'.repeat(99)}</marshal>`.repeat(2),
  ];
  for (const document of hostile) {
    assert.ok(check(unmarshal, document) < SLOW_MS, `slow on ${document.slice(0, 60)}`);
  }
});

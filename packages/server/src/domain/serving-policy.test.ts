import assert from 'node:assert/strict'
import { test } from 'node:test'
import { servingFor } from './serving-policy.ts'

test('active content is always an attachment, whatever was asked', () => {
  for (const type of [
    'text/html',
    'TEXT/HTML; charset=utf-8',
    'image/svg+xml',
    'application/xhtml+xml',
    'text/xml',
    'application/xml',
    'application/atom+xml',
    'text/javascript',
    'application/javascript',
  ]) {
    assert.equal(servingFor(type, 'inline').disposition, 'attachment', type)
  }
  for (const type of [
    'text/plain',
    'image/png',
    'application/pdf',
    'text/x-vcf',
    'application/json',
  ]) {
    assert.equal(servingFor(type, 'inline').disposition, 'inline', type)
    assert.equal(servingFor(type, 'attachment').disposition, 'attachment', type)
  }
})

test('text carries charset=utf-8 unless it declares one', () => {
  assert.equal(servingFor('text/plain', 'inline').contentType, 'text/plain; charset=utf-8')
  assert.equal(servingFor('text/x-vcf', 'inline').contentType, 'text/x-vcf; charset=utf-8')
  assert.equal(
    servingFor('text/plain; charset=ISO-8859-1', 'inline').contentType,
    'text/plain; charset=ISO-8859-1',
  )
  assert.equal(servingFor('image/png', 'inline').contentType, 'image/png')
  assert.equal(
    servingFor('application/octet-stream', 'inline').contentType,
    'application/octet-stream',
  )
})

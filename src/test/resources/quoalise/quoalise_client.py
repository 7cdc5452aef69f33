#!/usr/bin/python3
"""A Quoalise client on slixmpp (Debian python3-slixmpp), independent of sen-proxy's code: it discovers the proxy's
commands, calls get_history, subscribe and unsubscribe as the Quoalise community's client does (XEP-0050, one
submitted data form; time fields left out when the user gives none, naive times sent as Python's isoformat() writes
them), and waits for pushed data. Every data element it gets, in a command's result or in a message, is printed the
two ways the community client's `--format json` and `--format quoalise` print it: its meta read into a dictionary
(elements with children or attributes become dictionaries, attributes their entries) and written back to XML from
that dictionary (which fails, as the community client does, on a meta element with nothing in it), and its records
resolved with SenML's base fields. That client's code is not here (it is not packaged, and this test runs without a
network): these are its data rules, written anew. Every result is printed as one JSON line on stdout for the test that
drives it (QuoaliseInteropIT):
  {"event": "commands", "nodes": [...]}
  {"event": "catalogue", "series": [...], "info": {field: value}}   disco#items of the catalogue, disco#info of a series
  {"event": "history", "status": "completed", "sensml": "<sensml ...>", "meta_identifier": "...", "notes": [...],
   "json": {...}, "quoalise": "<data ...>", "format_error": null}
  {"event": "history_default", ...}   get_history without start_time and end_time
  {"event": "history_naive", ...}     get_history with times without an offset
  {"event": "error", "node": "...", "condition": "...", "text": "..."}
  {"event": "part", "phase": "...", "sensml": "...", ...}   a part of a large answer, pushed as a message
  {"event": "pushed", "sensml": "...", ...}     subscribed data
Usage: quoalise_client.py JID PASSWORD HOST PORT PROXY_FULL_JID IDENTIFIER START END OUT_OF_SCOPE PUSH_WAIT_S
"""
import asyncio
import datetime
import json
import re
import ssl
import sys
import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

QUOALISE = '{urn:quoalise:0}quoalise'
SENSML = '{urn:ietf:params:xml:ns:senml}sensml'
ET.register_namespace('', 'urn:ietf:params:xml:ns:senml')


def describe(data):
    """A quoalise element as the test reads it: its sensml (SenML XML), the meter and series its meta names, and the
    element as the community client's two output formats print it."""
    if data is None:
        return {'sensml': None, 'meta_identifier': None}
    sensml = data.find('.//' + SENSML)
    identifier = data.find('.//{urn:quoalise:0}meta/{urn:quoalise:0}device/{urn:quoalise:0}identifier')
    measurement = data.find('.//{urn:quoalise:0}meta/{urn:quoalise:0}measurement')
    physical = data.find('.//{urn:quoalise:0}meta/{urn:quoalise:0}measurement/{urn:quoalise:0}physical')
    described = {'sensml': ET.tostring(sensml, encoding='unicode') if sensml is not None else None,
                 'meta_identifier': identifier.get('value') if identifier is not None else None,
                 'meta_authority': identifier.get('authority') if identifier is not None else None,
                 'meta_measurement': measurement.get('name') if measurement is not None else None,
                 'meta_physical': dict(physical.attrib) if physical is not None else None,
                 'json': None, 'quoalise': None, 'format_error': None}
    try:
        element = data.find('{urn:quoalise:0}data')
        meta = meta_to_dict(element.find('{urn:quoalise:0}meta'))
        described['json'] = {'meta': meta, 'records': records(element.find(SENSML))}
        out = ET.Element('{urn:quoalise:0}data')
        written = ET.SubElement(out, '{urn:quoalise:0}meta')
        dict_to_meta(written, meta)
        out.append(element.find(SENSML))
        described['quoalise'] = ET.tostring(out, encoding='unicode')
    except Exception as e:  # what the community client would die of, printed for the test
        described['format_error'] = type(e).__name__ + ': ' + str(e)
    return described


def meta_to_dict(element):
    """An element as a dictionary, the community client's way: None for an element with neither attributes nor
    children, its text for a text-only one, else a dictionary of its children (by local name) and attributes."""
    children = list(element)
    if not children and not element.attrib:
        text = (element.text or '').strip()
        return text or None
    d = {}
    for child in children:
        name = child.tag.rpartition('}')[2]
        value = meta_to_dict(child)
        if name in d:
            d[name] = d[name] if isinstance(d[name], list) else [d[name]]
            d[name].append(value)
        else:
            d[name] = value
    d.update(element.attrib)
    return d


def dict_to_meta(parent, as_dict):
    """Writes a dictionary back as meta XML: dictionaries become elements, other values attributes. A meta element
    read as None (nothing in it) fails here, as in the community client."""
    for name, child in as_dict.items():
        if isinstance(child, dict):
            dict_to_meta(ET.SubElement(parent, '{urn:quoalise:0}' + name), child)
        else:
            parent.set(name, child)


def records(sensml):
    """The records of a sensml element, resolved with the base name, time, unit and value."""
    out = []
    bn, bt, bu, bv = '', 0.0, None, None
    for e in sensml.findall('{urn:ietf:params:xml:ns:senml}senml'):
        bn = e.get('bn', bn)
        bt = float(e.get('bt', bt))
        bu = e.get('bu', bu)
        bv = float(e.get('bv')) if e.get('bv') is not None else bv
        value = float(e.get('v')) if e.get('v') is not None else None
        if bv is not None:
            value = bv + (value or 0.0)
        time = bt + float(e.get('t', 0.0))
        out.append({'name': bn + e.get('n', ''), 'unit': e.get('u', bu), 'value': value,
                    'time': datetime.datetime.fromtimestamp(time, datetime.timezone.utc).isoformat()})
    return out


def naive(iso):
    """An ISO 8601 time with an offset as the same instant without one, in UTC: what isoformat() gives for a naive
    datetime."""
    t = datetime.datetime.fromisoformat(iso.replace('Z', '+00:00'))
    return t.astimezone(datetime.timezone.utc).replace(tzinfo=None).isoformat()


def emit(**fields):
    print(json.dumps(fields), flush=True)


class Client(slixmpp.ClientXMPP):

    def __init__(self, jid, password, proxy, identifier, start, end, out_of_scope, push_wait):
        super().__init__(jid, password)
        self.proxy = proxy
        self.identifier = identifier
        self.start_time = start
        self.end_time = end
        self.out_of_scope = out_of_scope
        self.push_wait = push_wait
        self.pushed = asyncio.Event()
        self.subscribed = False
        self.phase = 'start'
        self.parts = {}  # phase -> how many parts of its answer arrived as messages

        self.register_plugin('xep_0004')
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0050')
        self.add_event_handler('session_start', self.session_start)
        self.add_event_handler('message', self.message)
        self.add_event_handler('failed_auth', lambda e: (emit(event='failed_auth'), self.disconnect()))

    def form(self, **fields):
        form = self['xep_0004'].make_form(ftype='submit')
        for var, value in fields.items():
            form.add_field(var=var, value=value)
        return form

    async def command(self, node, phase=None, **fields):
        self.phase = phase or node
        try:
            iq = await self['xep_0050'].send_command(self.proxy, node, payload=self.form(**fields), timeout=20)
            data = iq.xml.find('.//' + QUOALISE)
            notes = [n.text for n in iq.xml.iter('{http://jabber.org/protocol/commands}note')]
            # the answer's other parts follow as messages: wait for them, so that each is told by its phase
            for note in notes:
                follow = re.search(r'and (\d+) message\(s\) that follow', note or '')
                if follow:
                    for _ in range(200):
                        if self.parts.get(self.phase, 0) >= int(follow.group(1)):
                            break
                        await asyncio.sleep(0.05)
            return dict(status=iq['command']['status'], notes=notes, **describe(data))
        except IqError as e:
            # the text element as sent (slixmpp's ['text'] interface only returns one in the stanza's own language)
            text = e.iq.xml.find('.//{urn:ietf:params:xml:ns:xmpp-stanzas}text')
            emit(event='error', node=node, condition=e.iq['error']['condition'],
                 text=text.text if text is not None else '', xml=str(e.iq))
        except IqTimeout:
            emit(event='error', node=node, condition='timeout', text='')
        return None

    async def session_start(self, _):
        self.send_presence(ppriority=1)
        await self.get_roster()
        items = await self['xep_0030'].get_items(jid=self.proxy, node='http://jabber.org/protocol/commands')
        emit(event='commands', nodes=sorted(item[1] for item in items['disco_items']['items']))
        catalogue = await self['xep_0030'].get_items(jid=self.proxy, node='urn:quoalise:0:catalogue')
        series = [item[1] for item in catalogue['disco_items']['items']]
        info = await self['xep_0030'].get_info(jid=self.proxy, node=self.identifier)
        form = info.xml.find('.//{jabber:x:data}x')
        fields = {}
        if form is not None:
            for field in form.findall('{jabber:x:data}field'):
                value = field.find('{jabber:x:data}value')
                fields[field.get('var')] = value.text if value is not None else None
        emit(event='catalogue', series=series, info=fields)

        history = await self.command('get_history', phase='history', identifier=self.identifier,
                                     start_time=self.start_time, end_time=self.end_time)
        if history:
            emit(event='history', **history)
        await self.command('get_history', phase='errors', identifier=self.out_of_scope, start_time=self.start_time,
                           end_time=self.end_time)
        await self.command('get_history', phase='errors', identifier=self.identifier, start_time='yesterday',
                           end_time=self.end_time)
        # as the community client calls it without --start-time and --end-time: no time field at all
        default = await self.command('get_history', phase='history_default', identifier=self.identifier)
        if default:
            emit(event='history_default', **default)
        # naive datetimes, written by isoformat(): no offset
        naive_history = await self.command('get_history', phase='history_naive', identifier=self.identifier,
                                           start_time=naive(self.start_time), end_time=naive(self.end_time))
        if naive_history:
            emit(event='history_naive', **naive_history)

        await asyncio.sleep(1)  # the parts of the answers above arrive before the subscription's data
        subscribed = await self.command('subscribe', identifier=self.identifier)
        if subscribed:
            emit(event='subscribed', **subscribed)
            self.subscribed = True
            try:
                await asyncio.wait_for(self.pushed.wait(), self.push_wait)
            except asyncio.TimeoutError:
                emit(event='no_push')
            unsubscribed = await self.command('unsubscribe', identifier=self.identifier)
            if unsubscribed:
                emit(event='unsubscribed', **unsubscribed)
        await asyncio.sleep(1)
        emit(event='done')
        self.disconnect()

    def message(self, msg):
        data = msg.xml.find(QUOALISE)
        if data is None:
            return
        if self.subscribed:
            emit(event='pushed', **describe(data))
            self.pushed.set()
        else:
            self.parts[self.phase] = self.parts.get(self.phase, 0) + 1
            emit(event='part', phase=self.phase, **describe(data))


def main(argv):
    import logging
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    jid, password, host, port, proxy, identifier, start, end, out_of_scope, push_wait = argv[1:11]
    client = Client(jid, password, proxy, identifier, start, end, out_of_scope, float(push_wait))
    # the test server's certificate is self-signed: this test client does not check it
    client.ssl_context.check_hostname = False
    client.ssl_context.verify_mode = ssl.CERT_NONE
    client.connect((host, int(port)))
    client.process(forever=False)


if __name__ == '__main__':
    main(sys.argv)

#!/usr/bin/python3
"""A Quoalise client on slixmpp (Debian python3-slixmpp), independent of sen-proxy's code: it discovers the proxy's
commands, calls get_history, subscribe and unsubscribe as the Quoalise community's client does (XEP-0050, one
submitted data form), and waits for pushed data. Every result is printed as one JSON line on stdout for the test
that drives it (QuoaliseInteropIT):
  {"event": "commands", "nodes": [...]}
  {"event": "catalogue", "series": [...], "info": {field: value}}   disco#items of the catalogue, disco#info of a series
  {"event": "history", "status": "completed", "sensml": "<sensml ...>", "meta_identifier": "...", "notes": [...]}
  {"event": "error", "node": "...", "condition": "...", "text": "..."}
  {"event": "part", "sensml": "...", ...}       a part of a large answer, pushed as a message
  {"event": "pushed", "sensml": "...", ...}     subscribed data
Usage: quoalise_client.py JID PASSWORD HOST PORT PROXY_FULL_JID IDENTIFIER START END OUT_OF_SCOPE PUSH_WAIT_S
"""
import asyncio
import json
import ssl
import sys
import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout

QUOALISE = '{urn:quoalise:0}quoalise'
SENSML = '{urn:ietf:params:xml:ns:senml}sensml'
ET.register_namespace('', 'urn:ietf:params:xml:ns:senml')


def describe(data):
    """A quoalise element as the test reads it: its sensml (SenML XML) and the series its meta names."""
    if data is None:
        return {'sensml': None, 'meta_identifier': None}
    sensml = data.find('.//' + SENSML)
    identifier = data.find('.//{urn:quoalise:0}meta/{urn:quoalise:0}device/{urn:quoalise:0}identifier')
    physical = data.find('.//{urn:quoalise:0}meta/{urn:quoalise:0}measurement/{urn:quoalise:0}physical')
    return {'sensml': ET.tostring(sensml, encoding='unicode') if sensml is not None else None,
            'meta_identifier': identifier.get('value') if identifier is not None else None,
            'meta_physical': dict(physical.attrib) if physical is not None else None}


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

    async def command(self, node, **fields):
        try:
            iq = await self['xep_0050'].send_command(self.proxy, node, payload=self.form(**fields), timeout=20)
            data = iq.xml.find('.//' + QUOALISE)
            notes = [n.text for n in iq.xml.iter('{http://jabber.org/protocol/commands}note')]
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

        history = await self.command('get_history', identifier=self.identifier, start_time=self.start_time,
                                     end_time=self.end_time)
        if history:
            emit(event='history', **history)
        await self.command('get_history', identifier=self.out_of_scope, start_time=self.start_time,
                           end_time=self.end_time)
        await self.command('get_history', identifier=self.identifier, start_time='yesterday',
                           end_time=self.end_time)

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
            emit(event='part', **describe(data))


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
